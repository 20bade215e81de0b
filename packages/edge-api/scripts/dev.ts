// `npm run edge:dev`: wrangler dev on http://127.0.0.1:8787 (PORT to change), offline and without a login.
// EDGE_SIZE=224|100|96 picks the model, EDGE_ENGINE=tfjs|onnxruntime-int8|litert-int8 the engine (onnxruntime-int8
// serves the int8 ONNX model on onnxruntime-web, litert-int8 the int8 .tflite model on LiteRT.js),
// EDGE_WEIGHTS=int8|float16|float32 its bundled weights (float16/float32 for 224 px tfjs only); unset, the default
// build's (src/node/edge-weights.ts). Extra arguments go to wrangler
// (`npm run -w @nin-bench/edge-api dev -- --ip 0.0.0.0` to listen beyond this machine). EDGE_RATE_LIMIT=off turns the
// per-client rate limiter off for the run (load tools, the bench).
import { spawn } from 'node:child_process';
import { UsageError } from '@nin-bench/core-nin/node/cli-args';
import { ensureEdgeWeights } from '../src/node/edge-weights.ts';
import { REPO_ROOT, offlineWranglerEnv } from '../src/node/wrangler.ts';
import { wranglerDevCommand } from '../src/node/wrangler-dev.ts';
import { EDGE_BUILD_VARIABLES, edgeBuildFromScriptEnv, runSetupScript } from './setup-script.ts';

const USAGE = `usage: ${EDGE_BUILD_VARIABLES} [EDGE_RATE_LIMIT=on|off] [EDGE_PEAK_PROBE=off|on] [PORT=8787] npm run edge:dev [-- wrangler dev options]

Runs \`wrangler dev\` on http://127.0.0.1:8787, offline and without a login, with the Worker built for EDGE_SIZE,
EDGE_WEIGHTS (float16/float32 for 224 px tfjs only) and EDGE_ENGINE (tfjs; onnxruntime-int8: the int8 ONNX model
on onnxruntime-web, wrangler envs onnx-int8-size100 and onnx-int8; litert-int8: the int8 .tflite model on
LiteRT.js's relaxed-SIMD build, the default at 100 px); what is unset follows the default build (100 px litert-int8). EDGE_RATE_LIMIT=off
turns off the per-client rate limit of POST /predict (wrangler.toml's [[ratelimits]], which wrangler dev simulates
for the client address 127.0.0.1): for load tools and the bench. EDGE_PEAK_PROBE=on serves GET /probe, the WebAssembly peak probe (the bench's edge
rows). Other arguments go to wrangler dev, e.g.
\`-- --ip 0.0.0.0\` to listen beyond this machine.`;

/** An on/off variable: its value, `fallback` when unset, a usage error otherwise. */
function onOff(name: string, fallback: 'on' | 'off'): 'on' | 'off' {
  const value = process.env[name] ?? fallback;
  if (value !== 'on' && value !== 'off')
    throw new UsageError(`${name} must be on or off, got ${JSON.stringify(value)}`);
  return value;
}

await runSetupScript({
  name: 'edge:dev',
  helpCommand: 'npm run edge:dev -- --help',
  usage: USAGE,
  passThrough: true,
  async run({ args }) {
    const build = edgeBuildFromScriptEnv();
    const rateLimit = onOff('EDGE_RATE_LIMIT', 'on');
    const peakProbe = onOff('EDGE_PEAK_PROBE', 'off');
    await ensureEdgeWeights(build);
    const port = process.env.PORT ?? '8787';
    const ip = args.includes('--ip') ? [] : ['--ip', '127.0.0.1'];
    const [node, ...wrangler] = wranglerDevCommand(build, { rateLimit, peakProbe }, port);
    const child = spawn(node, [...wrangler, ...ip, ...args], {
      cwd: REPO_ROOT,
      env: offlineWranglerEnv(),
      stdio: 'inherit',
    });
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
    return new Promise<number>((ok) => child.on('exit', (code, signal) => ok(code ?? (signal ? 1 : 0))));
  },
});
