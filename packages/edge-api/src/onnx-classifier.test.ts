// The int8 engine under Node, on the files its Worker build bundles (the calibrated int8 ONNX model and
// onnxruntime-web's SIMD binary, compiled here instead of by workerd), against the tfjs engine on the float32 weights.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parameterCount } from '@nin-bench/core-nin';
import {
  expectBatchAsEachAlone,
  expectDescribesModelFile,
  tallyAgreement,
  useBuildClassifier,
} from './int8-classifier.fixtures.ts';
import { loadOnnxEdgeClassifier } from './onnx-classifier.ts';
import { edgeBuild, trainedWeightsPath } from './node/edge-weights.ts';
import { engineBuild, loadEdgeClassifierForBuild, ortWasmPath } from './node/engines.ts';

/**
 * Real test images classified by both engines (the first N of the official test set). 200 images at 224 px are
 * about 30 s of CPU on a quiet 2-core machine (300 took 15 minutes beside a training run and three other test
 * suites); `EDGE_AGREEMENT_IMAGES=1000` runs the 1,000.
 */
const AGREEMENT_IMAGES = Number(process.env.EDGE_AGREEMENT_IMAGES ?? 200);

describe('the onnxruntime-int8 engine under Node', () => {
  const subject = useBuildClassifier(engineBuild('onnxruntime-int8'));

  it('names its engine and describes the model from the ONNX metadata', () => {
    expect(subject.classifier.engine).toMatchObject({
      name: 'onnxruntime-int8',
      modelFormat: 'onnx',
      runtime: expect.stringMatching(/^onnxruntime-web 1\.\d+\.\d+ wasm \(SIMD, 1 thread\)$/),
    });
    expect(subject.classifier.backend).toMatchObject({
      spec: 'onnxruntime-web:wasm',
      simd: true,
      details: { threads: 1 },
    });
    expect(subject.classifier.model).toMatchObject({
      inputSize: 224,
      weightPrecision: 'int8',
      parameterCount: parameterCount(),
    });
    // `nin eval --onnx --record` wrote the int8 model's own accuracy into it (0.8877 on all 10,000 test images)
    expect(subject.classifier.model.testAccuracy).toBeGreaterThan(0.85);
    expect(subject.classifier.model.manifest).toMatchObject({ inputSize: 224, storage: 'float32' });
    expectDescribesModelFile(subject.classifier, subject.file);
  });

  it('classifies a batch as it classifies each image alone, and refuses a wrong byte count', () =>
    expectBatchAsEachAlone(subject.classifier));

  it('refuses a model for another input size than INPUT_SIZE says, and a float32 model', async () => {
    const wasm = await WebAssembly.compile(await readFile(ortWasmPath()));
    await expect(loadOnnxEdgeClassifier({ wasm, model: subject.file, expectedInputSize: 100 })).rejects.toThrow(
      /INPUT_SIZE is 100 but the bundled ONNX model is for 224 px/,
    );
    const { encodeNinOnnx } = await import('@nin-bench/core-nin/onnx');
    const { readNinWeightsFile } = await import('@nin-bench/core-nin/node');
    const { stateDict } = await readNinWeightsFile(trainedWeightsPath('float32', 96));
    await expect(loadOnnxEdgeClassifier({ wasm, model: encodeNinOnnx(stateDict, { inputSize: 96 }) })).rejects.toThrow(
      /not the int8 one \(no quantization metadata\)/,
    );
    await expect(loadOnnxEdgeClassifier({ wasm, model: new Uint8Array([1, 2, 3]) })).rejects.toThrow(
      /not an ONNX model/,
    );
  });

  // Both int8 builds, the default (100 px) and the 224 px one, each against tfjs on its own float32 weights.
  it.each([100, 224])(
    `the %i px int8 build gives the tfjs float32 top-1 on at least 99 percent of ${AGREEMENT_IMAGES} real test images`,
    async (size) => {
      const int8AtSize =
        size === 224 ? subject.classifier : await loadEdgeClassifierForBuild(engineBuild('onnxruntime-int8', size));
      // the float32 weights on tfjs (the 224 px file is a build of its own; at 100 px the trained file, unbundled)
      const float32 = await loadEdgeClassifierForBuild({
        ...edgeBuild(size, 'int8', 'tfjs'),
        precision: 'float32',
        weights: trainedWeightsPath('float32', size),
      });
      expect(float32.engine.name).toBe('tfjs');
      expect(int8AtSize.model.inputSize).toBe(size);
      const { same, right } = await tallyAgreement(int8AtSize, float32, AGREEMENT_IMAGES, 16);
      const percent = ((100 * same) / AGREEMENT_IMAGES).toFixed(1);
      const accuracy = right.map((r) => r / AGREEMENT_IMAGES);
      console.log(
        `${size} px int8 engine vs tfjs float32 on ${AGREEMENT_IMAGES} test images: same top-1 on ${same} ` +
          `(${percent}%); accuracy int8 ${accuracy[0]}, float32 ${accuracy[1]}`,
      );
      expect(same / AGREEMENT_IMAGES).toBeGreaterThanOrEqual(0.99);
    },
    AGREEMENT_IMAGES * 1500,
  ); // 1.5 s per image for both engines: ten times a quiet machine's pace
});
