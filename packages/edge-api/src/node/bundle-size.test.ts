import { describe, expect, it } from 'vitest';
import { FORMER_GZIP_LIMITS, WORKER_SIZE_LIMIT, checkBundle } from './bundle-size.ts';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_EDGE_BUILD, edgeBuild, type EdgeBuild } from './edge-weights.ts';

describe('the deployable Worker bundle (wrangler deploy --dry-run)', () => {
  it("the 100 px onnxruntime-web int8 build: onnxruntime-web's SIMD binary and the int8 ONNX model, no tfjs, no Node built-in, within 64 MiB", async () => {
    await expectOnnxBundle(edgeBuild(100, 'int8', 'onnxruntime-int8'), 'nin-fmnist-100.int8.onnx');
  });

  it('the default build is the 100 px LiteRT.js int8 build checked below', () => {
    expect(DEFAULT_EDGE_BUILD).toMatchObject({ inputSize: 100, precision: 'int8', engine: 'litert-int8' });
  });

  it('the 224 px int8 engine: the same binary and the 224 px int8 ONNX model', async () => {
    await expectOnnxBundle(edgeBuild(224, 'int8', 'onnxruntime-int8'), 'nin-fmnist-224.int8.onnx');
  });

  it.each([100, 224])(
    "the %i px LiteRT.js build: LiteRT's relaxed-SIMD binary, the int8 .tflite model and the glue's ES-module copy, no onnxruntime, no tfjs, no Node built-in",
    async (inputSize) => {
      const size = await checkBundle(edgeBuild(inputSize, 'int8', 'litert-int8'));
      const names = size.modules.map((m) => m.name);
      // the relaxed build only: not the compat, threaded or JSPI ones
      expect(names.filter((n) => n.endsWith('.wasm')).sort()).toEqual(
        [...DECODER_WASM, 'litert_wasm_internal.wasm'].sort(),
      );
      expect(names.filter((n) => /\.(tflite|onnx|safetensors)$/.test(n))).toEqual([
        `nin-fmnist-${inputSize}.int8.tflite`,
      ]);
      const script = await readFile(
        join(
          size.outdir,
          names.find((n) => n.endsWith('.js'))!,
        ),
        'utf8',
      );
      // the glue (it names its own binary), bundled into the script
      expect(script).toContain('"litert_wasm_internal.wasm"');
      expect(script).not.toContain('@tensorflow/tfjs-core');
      expect(script).not.toContain('onnxruntime');
      // nor the flatc-generated .tflite schema (~440 KiB of script): the Worker reads the model's metadata with the
      // core's schema-free reader (@nin-bench/core-nin/tflite/read-metadata)
      expect(script).not.toContain('BuiltinOptions2');
      expect(script).not.toMatch(/from\s*["']node:/);
      expect(size.rawBytes).toBeLessThan(WORKER_SIZE_LIMIT.uncompressedBytes);
    },
  );

  it('the 224 px tfjs build holds the script, the wasm SIMD binary and the int8 weights, within the 64 MiB limit (and the former 3 MiB gzip one)', async () => {
    const size = await checkBundle(edgeBuild(224, 'int8', 'tfjs'));
    const names = size.modules.map((m) => m.name);
    expect(names).toContain('worker.js');
    expect(names).toContain('tfjs-backend-wasm-simd.wasm');
    expect(names.filter((n) => n.endsWith('.safetensors'))).toEqual([expect.stringContaining('int8')]);
    // no other wasm binary (plain, threaded) is dragged in: the engine's and the two picture decoders'
    expect(names.filter((n) => n.endsWith('.wasm')).sort()).toEqual(
      [...DECODER_WASM, 'tfjs-backend-wasm-simd.wasm'].sort(),
    );
    expect(size.rawBytes).toBeLessThan(WORKER_SIZE_LIMIT.uncompressedBytes);
    expect(size.gzipBytes).toBeLessThan(FORMER_GZIP_LIMITS.free);
    expect(size.wranglerSummary).toMatch(/Total Upload/);
  });
});

/** Every build decodes JPEG (mozjpeg) and WebP (libwebp) in wasm, and carries the peak probe's two small modules (GET /probe, off unless PEAK_PROBE=on). */
const DECODER_WASM = ['mozjpeg_dec.wasm', 'webp_dec.wasm', 'wasm-peak.wasm', 'wasm-peak-relaxed.wasm'];

async function expectOnnxBundle(build: EdgeBuild, onnxFile: string): Promise<void> {
  const size = await checkBundle(build);
  const names = size.modules.map((m) => m.name);
  expect(names.filter((n) => n.endsWith('.wasm')).sort()).toEqual(
    [...DECODER_WASM, 'ort-wasm-simd-threaded.wasm'].sort(),
  );
  expect(names.filter((n) => n.endsWith('.onnx'))).toEqual([onnxFile]);
  const script = await readFile(
    join(
      size.outdir,
      names.find((n) => n.endsWith('.js'))!,
    ),
    'utf8',
  );
  // tfjs-core's license comments name its files: none may be bundled (the core's tfjs-free subpaths only)
  expect(script).not.toContain('@tensorflow/tfjs-core');
  expect(script).not.toMatch(/from\s*["']node:/);
  expect(size.rawBytes).toBeLessThan(WORKER_SIZE_LIMIT.uncompressedBytes);
  console.log(
    `${build.inputSize} px int8 engine bundle: ${(size.rawBytes / 2 ** 20).toFixed(1)} MiB raw, ${(size.gzipBytes / 2 ** 20).toFixed(1)} MiB gzip`,
  );
}
