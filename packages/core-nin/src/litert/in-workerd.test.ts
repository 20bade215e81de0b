// The loader inside workerd (the Workers runtime, no Node), as a Worker gets it: a bundle made by esbuild (what
// wrangler uses) with the glue as an ES-module copy, and the relaxed build's wasm as a WebAssembly.Module the
// runtime compiled (workerd forbids compiling from bytes). `workerd test` runs the Worker's `test` handler.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liteRtFiles, liteRtGlueEsbuildPlugin, loadLiteRtNode } from '../node/litert.ts';
import { encodeNinTflite } from '../tflite/index.ts';
import { randomImages, signalPreservingStateDict } from '../../test/parity/fixtures.ts';
import { loadLiteRtClassifier } from './classifier.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const SIZE = 67;
const IMAGES = 2;

/** The workerd binary wrangler runs (the repo's wrangler depends on the `workerd` package, whose export is its path). */
function workerdBinary(): string {
  const root = createRequire(import.meta.url);
  return (createRequire(root.resolve('wrangler/package.json'))('workerd') as { default: string }).default;
}

// The Worker: builds the runtime from its imports, runs the model on the images, prints one JSON line, and
// fails (so `workerd test` does) when anything throws.
const ENTRY = `
import glue from '@litertjs/core/wasm/litert_wasm_internal.js';
import wasm from './litert.wasm';
import model from './model.tflite';
import { createLiteRtRuntime, loadLiteRtClassifier } from './index.ts';
export default {
  async test() {
    const runtime = await createLiteRtRuntime({ glue, wasm, build: 'relaxed' });
    const classifier = await loadLiteRtClassifier(runtime, new Uint8Array(model));
    const logits = await classifier.logits(new Float32Array(__IMAGES__), ${IMAGES});
    console.log('LITERT ' + JSON.stringify({ build: runtime.build, logits: Array.from(logits) }));
    classifier.dispose();
    runtime.dispose();
  },
};
`;

describe('LiteRT.js inside workerd', () => {
  let dir: string;
  const images = randomImages(5, IMAGES, SIZE);
  // the NiN at its smallest input, from seeded weights whose logits differ from image to image
  const tflite = encodeNinTflite(signalPreservingStateDict(11), { inputSize: SIZE });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'litert-workerd-'));
    const bundle = await build({
      stdin: { contents: ENTRY.replace('__IMAGES__', JSON.stringify(Array.from(images))), resolveDir: HERE },
      bundle: true,
      format: 'esm',
      // neutral: a Node built-in anywhere in what the Worker imports fails the build
      platform: 'neutral',
      mainFields: ['module', 'main'],
      external: ['./litert.wasm', './model.tflite'],
      plugins: [liteRtGlueEsbuildPlugin()],
      write: false,
      logLevel: 'silent',
    });
    await writeFile(join(dir, 'worker.js'), bundle.outputFiles[0].contents);
    await writeFile(join(dir, 'litert.wasm'), await readFile(liteRtFiles('relaxed').wasm));
    await writeFile(join(dir, 'model.tflite'), tflite);
    await writeFile(
      join(dir, 'config.capnp'),
      `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (services = [(name = "main", worker = .worker)]);
const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "litert.wasm", wasm = embed "litert.wasm"),
    (name = "model.tflite", data = embed "model.tflite"),
  ],
  compatibilityDate = "2025-09-01",
);
`,
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('runs the relaxed build from the glue and the runtime-compiled module, with the logits Node gets', async () => {
    const run = spawnSync(workerdBinary(), ['test', join(dir, 'config.capnp')], { encoding: 'utf8', timeout: 120_000 });
    const output = `${run.stdout}${run.stderr}`;
    expect(run.status, output).toBe(0);
    // nothing LiteRT prints by default (INFO lines, the NPU note) reaches the console
    expect(output).not.toMatch(/INFO:|npu_registry|WebGPU/);
    const line = /LITERT (\{.*\})/.exec(output);
    expect(line, output).not.toBeNull();
    const inWorkerd = JSON.parse(line![1]) as { build: string; logits: number[] };
    expect(inWorkerd.build).toBe('relaxed');

    const runtime = await loadLiteRtNode();
    const classifier = await loadLiteRtClassifier(runtime, tflite);
    const inNode = await classifier.logits(images, IMAGES);
    classifier.dispose();
    runtime.dispose();
    expect(inWorkerd.logits).toHaveLength(inNode.length);
    expect(Math.max(...inNode.map(Math.abs))).toBeGreaterThan(0.01);
    // Node may run the compat build (Node 20): the same model, other kernels, so not bit for bit
    for (let i = 0; i < inNode.length; i++) expect(Math.abs(inWorkerd.logits[i] - inNode[i])).toBeLessThan(1e-4);
  });
});
