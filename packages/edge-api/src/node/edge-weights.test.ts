import { rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EDGE_BUILD,
  EDGE_BUILDS,
  EDGE_DIR,
  describeEdgeBuild,
  edgeBuildFromEnv,
  ensureEdgeWeights,
} from './edge-weights.ts';
import { LITERT_GLUE_MODULE, liteRtGlueModuleSource } from './litert-glue.ts';

describe('the Workers builds', () => {
  it.each(EDGE_BUILDS.map((b) => [describeEdgeBuild(b), b] as const))(
    '%s: its entry imports the weights file the scripts prepare',
    async (_, build) => {
      const source = await readFile(join(EDGE_DIR, 'src', build.entry), 'utf8');
      const file = { tfjs: '.safetensors', 'onnxruntime-int8': '.int8.onnx', 'litert-int8': '.int8.tflite' }[
        build.engine
      ];
      const pattern = new RegExp(
        `import ${build.engine === 'tfjs' ? 'weights' : 'model'} from '([^']+${file.replaceAll('.', '\\.')})'`,
      );
      const imported = pattern.exec(source)?.[1];
      expect(imported, `${build.entry} imports no ${file}`).toBeDefined();
      expect(resolve(EDGE_DIR, 'src', imported!)).toBe(build.weights);
    },
  );

  it('each wrangler environment points at its entry and states its precision, input size and (where not tfjs) engine', async () => {
    const toml = await readFile(join(EDGE_DIR, '..', '..', 'wrangler.toml'), 'utf8');
    for (const b of EDGE_BUILDS) {
      const engine = b.wranglerEnv === '' || b.engine !== 'tfjs' ? `\nEDGE_ENGINE = "${b.engine}"` : '';
      const vars = `WEIGHT_PRECISION = "${b.precision}"\nINPUT_SIZE = "${b.inputSize}"${engine}`;
      if (b.wranglerEnv === '') {
        expect(toml).toMatch(new RegExp(`^main = "packages/edge-api/src/${b.entry.replace('.', '\\.')}"$`, 'm'));
        expect(toml).toMatch(new RegExp(`^\\[vars\\]\\n(?:#.*\\n)*${vars}$`, 'm'));
      } else {
        expect(toml).toContain(`[env.${b.wranglerEnv}]\nmain = "packages/edge-api/src/${b.entry}"`);
        expect(toml).toContain(`[env.${b.wranglerEnv}.vars]\n${vars}`);
      }
    }
  });

  it('EDGE_SIZE, EDGE_WEIGHTS and EDGE_ENGINE pick a build; unset ones follow the default build; anything else is refused with the choices', () => {
    // the default build: the 100 px int8 .tflite model on LiteRT.js, wrangler.toml's top level
    expect(edgeBuildFromEnv({})).toBe(DEFAULT_EDGE_BUILD);
    expect(DEFAULT_EDGE_BUILD).toMatchObject({
      inputSize: 100,
      precision: 'int8',
      engine: 'litert-int8',
      wranglerEnv: '',
    });
    expect(edgeBuildFromEnv({ EDGE_ENGINE: 'litert-int8' })).toBe(DEFAULT_EDGE_BUILD);
    // EDGE_SIZE=224 alone: the 224 px build with the default's engine; onnxruntime and tfjs by name
    expect(edgeBuildFromEnv({ EDGE_SIZE: '224' })).toMatchObject({
      inputSize: 224,
      engine: 'litert-int8',
      wranglerEnv: 'litert-int8',
    });
    expect(edgeBuildFromEnv({ EDGE_SIZE: '224', EDGE_ENGINE: 'onnxruntime-int8' })).toMatchObject({
      inputSize: 224,
      engine: 'onnxruntime-int8',
      wranglerEnv: 'onnx-int8',
    });
    expect(edgeBuildFromEnv({ EDGE_SIZE: '224', EDGE_ENGINE: 'tfjs' })).toMatchObject({
      inputSize: 224,
      precision: 'int8',
      engine: 'tfjs',
      wranglerEnv: 'size224',
    });
    // EDGE_ENGINE=tfjs alone: the default's size on tfjs
    expect(edgeBuildFromEnv({ EDGE_ENGINE: 'tfjs' })).toMatchObject({ inputSize: 100, wranglerEnv: 'size100' });
    expect(edgeBuildFromEnv({ EDGE_WEIGHTS: 'float16' })).toMatchObject({ inputSize: 224, wranglerEnv: 'float16' });
    // EDGE_ENGINE=onnxruntime-int8 alone: the default's size on onnxruntime-web
    expect(edgeBuildFromEnv({ EDGE_ENGINE: 'onnxruntime-int8' })).toMatchObject({
      inputSize: 100,
      wranglerEnv: 'onnx-int8-size100',
    });
    expect(edgeBuildFromEnv({ EDGE_ENGINE: 'LiteRT-int8', EDGE_SIZE: '224' })).toMatchObject({
      inputSize: 224,
      wranglerEnv: 'litert-int8',
    });
    expect(edgeBuildFromEnv({ EDGE_SIZE: '96' })).toMatchObject({
      inputSize: 96,
      precision: 'int8',
      engine: 'tfjs',
      wranglerEnv: 'size96',
    });
    expect(() => edgeBuildFromEnv({ EDGE_ENGINE: 'onnx' })).toThrow(
      /EDGE_ENGINE must be one of tfjs, onnxruntime-int8, litert-int8, got "onnx"/,
    );
    expect(() => edgeBuildFromEnv({ EDGE_ENGINE: 'onnxruntime-int8', EDGE_WEIGHTS: 'float32' })).toThrow(
      /no edge build for EDGE_WEIGHTS=float32 EDGE_ENGINE=onnxruntime-int8: offered are 100 px int8 litert-int8, /,
    );
    expect(() => edgeBuildFromEnv({ EDGE_WEIGHTS: 'int4' })).toThrow(
      /EDGE_WEIGHTS must be one of float32, float16, int8/,
    );
    expect(() => edgeBuildFromEnv({ EDGE_SIZE: '96', EDGE_WEIGHTS: 'float32' })).toThrow(
      /no edge build for EDGE_SIZE=96 EDGE_WEIGHTS=float32: offered are .*96 px int8/,
    );
    expect(() => edgeBuildFromEnv({ EDGE_SIZE: 'big' })).toThrow(/EDGE_SIZE must be an input size in px, got "big"/);
  });

  it('every build has its own wrangler environment, the default alone at the top level', () => {
    expect(EDGE_BUILDS.filter((b) => b.wranglerEnv === '')).toEqual([DEFAULT_EDGE_BUILD]);
    expect(new Set(EDGE_BUILDS.map((b) => b.wranglerEnv)).size).toBe(EDGE_BUILDS.length);
  });

  it('a LiteRT build writes the ES-module copy of the glue its entry imports, and a missing model says how to make it', async () => {
    const missing = {
      ...EDGE_BUILDS.find((b) => b.engine === 'litert-int8')!,
      weights: join(EDGE_DIR, '.weights', 'absent.int8.tflite'),
    };
    rmSync(LITERT_GLUE_MODULE, { force: true });
    await expect(ensureEdgeWeights(missing)).rejects.toThrow(
      new RegExp(
        String.raw`100 px int8 \.tflite model .*absent\.int8\.tflite is missing: ` +
          String.raw`make it with npx nin export-tflite --weights .*nin-fmnist-100\.safetensors --out .* --int8`,
      ),
    );
    const glue = await readFile(LITERT_GLUE_MODULE, 'utf8');
    expect(glue).toBe(liteRtGlueModuleSource());
    expect(glue).toMatch(/\nexport default ModuleFactory;\n$/);
    expect(glue).toContain('"litert_wasm_internal.wasm"');
  });

  it('a missing int8 ONNX model says how to make it', async () => {
    const missing = {
      ...EDGE_BUILDS.find((b) => b.engine === 'onnxruntime-int8')!,
      inputSize: 100,
      weights: join(EDGE_DIR, '.weights', 'absent.int8.onnx'),
    };
    await expect(ensureEdgeWeights(missing)).rejects.toThrow(
      /100 px int8 ONNX model .*absent\.int8\.onnx is missing: make it with npx nin export-onnx --weights .*nin-fmnist-100\.safetensors --out .* --int8/,
    );
  });
});
