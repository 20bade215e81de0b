// `npm run edge:dev`: wrangler dev on http://127.0.0.1:8787 (PORT to change), offline and without a login.
// EDGE_SIZE=224|96 picks the model (224 px by default), EDGE_ENGINE=tfjs|onnxruntime-int8 the engine (tfjs by default;
// onnxruntime-int8 serves the int8 ONNX model on onnxruntime-web), EDGE_WEIGHTS=int8|float16|float32 its bundled weights
// (int8 by default; float16/float32 for 224 px only). Extra arguments go to wrangler
// (`npm run -w @nin-bench/edge-api dev -- --ip 0.0.0.0` to listen beyond this machine).
import { spawn } from 'node:child_process';
import { edgeBuildFromEnv, ensureEdgeWeights } from '../src/node/edge-weights.ts';
import { REPO_ROOT, WRANGLER_CONFIG, offlineWranglerEnv, wranglerBin, wranglerEnvArgs } from '../src/node/wrangler.ts';

let build;
try {
  build = edgeBuildFromEnv();
  await ensureEdgeWeights(build);
} catch (e) {
  console.error(`edge:dev: ${(e as Error).message}`);
  process.exit(2);
}
const port = process.env.PORT ?? '8787';
const extra = process.argv.slice(2);
const ip = extra.includes('--ip') ? [] : ['--ip', '127.0.0.1'];
const child = spawn(
  process.execPath,
  [wranglerBin(), 'dev', '--config', WRANGLER_CONFIG, ...wranglerEnvArgs(build), '--port', port, ...ip, ...extra],
  { cwd: REPO_ROOT, env: offlineWranglerEnv(), stdio: 'inherit' },
);
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
