// The LiteRT.js engine under Node, on the files its 100 px Worker build bundles (the int8 .tflite model and LiteRT's
// relaxed-SIMD glue and wasm, compiled here instead of by workerd), against the onnxruntime-web int8 build of the same
// size on real test images. The relaxed build needs relaxed SIMD: Node 22 or newer.
import { describe, expect, it } from 'vitest';
import { parameterCount } from '@nin-bench/core-nin';
import { compileLiteRtWasm, readLiteRtGlue, readNinWeightsFile } from '@nin-bench/core-nin/node';
import { encodeNinTflite, withTfliteMetadata } from '@nin-bench/core-nin/tflite';
import {
  expectBatchAsEachAlone,
  expectDescribesModelFile,
  tallyAgreement,
  useBuildClassifier,
} from './int8-classifier.fixtures.ts';
import { loadLiteRtEdgeClassifier } from './litert-classifier.ts';
import { edgeBuild, trainedWeightsPath } from './node/edge-weights.ts';
import { loadEdgeClassifierForBuild } from './node/engines.ts';

/** the first N of the official test set (100 px: a few seconds for both engines) */
const AGREEMENT_IMAGES = Number(process.env.EDGE_AGREEMENT_IMAGES ?? 300);

describe('the litert-int8 engine under Node', () => {
  const subject = useBuildClassifier(edgeBuild(100, 'int8', 'litert-int8'));

  it('names its engine and the LiteRT build that runs, and describes the model', () => {
    expect(subject.classifier.engine).toMatchObject({
      name: 'litert-int8',
      modelFormat: 'tflite',
      runtime: expect.stringMatching(
        /^LiteRT\.js \d+\.\d+\.\d+ wasm \(XNNPACK, relaxed SIMD, relaxed build, 1 thread\)$/,
      ),
    });
    expect(subject.classifier.backend).toMatchObject({
      spec: 'litert:relaxed',
      simd: true,
      details: { build: 'relaxed', threads: 1, binary: 'litert_wasm_internal.wasm' },
    });
    expect(subject.classifier.model).toMatchObject({
      inputSize: 100,
      weightPrecision: 'int8',
      parameterCount: parameterCount(),
    });
    expectDescribesModelFile(subject.classifier, subject.file);
  });

  it('classifies a batch as it classifies each image alone, and refuses a wrong byte count', () =>
    expectBatchAsEachAlone(subject.classifier));

  it("reads the recorded accuracy and the float weights' manifest from the model's metadata", async () => {
    // the manifest `nin export-tflite --int8` carries over from the float32 weights
    expect(subject.classifier.model.manifest).toMatchObject({ inputSize: 100, storage: 'float32' });
    const [glue, wasm] = await Promise.all([readLiteRtGlue('relaxed'), compileLiteRtWasm('relaxed')]);
    // as `nin eval --tflite F --record` writes it
    const recorded = withTfliteMetadata(subject.file, { accuracy: JSON.stringify({ test: 0.9012 }) });
    const classifier = await loadLiteRtEdgeClassifier({ glue, wasm, build: 'relaxed', model: recorded });
    expect(classifier.model.testAccuracy).toBe(0.9012);
  });

  it('refuses a model for another input size than INPUT_SIZE says, a float32 model and bytes that are no model', async () => {
    const [glue, wasm] = await Promise.all([readLiteRtGlue('relaxed'), compileLiteRtWasm('relaxed')]);
    const load = (model: Uint8Array, expectedInputSize?: number) =>
      loadLiteRtEdgeClassifier({ glue, wasm, build: 'relaxed', model, expectedInputSize });
    await expect(load(subject.file, 224)).rejects.toThrow(
      /INPUT_SIZE is 224 but the bundled \.tflite model is for 100 px/,
    );
    const { stateDict } = await readNinWeightsFile(trainedWeightsPath('float32', 100));
    await expect(load(encodeNinTflite(stateDict, { inputSize: 100 }))).rejects.toThrow(
      /not the int8 one \(no quantization metadata\): export it with nin export-tflite --int8/,
    );
    await expect(load(new Uint8Array([1, 2, 3]))).rejects.toThrow(/not a \.tflite model/);
  });

  it(`is as accurate as the onnxruntime-web int8 build on the first ${AGREEMENT_IMAGES} test images`, async () => {
    const onnx = await loadEdgeClassifierForBuild(edgeBuild(100, 'int8', 'onnxruntime-int8'));
    const { same, right: rights } = await tallyAgreement(subject.classifier, onnx, AGREEMENT_IMAGES, 1);
    const [right, rightOnnx] = rights;
    // both int8 models of the same float32 weights: 0.90 on all 10,000 for the ONNX one
    expect(right / AGREEMENT_IMAGES).toBeGreaterThan(0.85);
    expect(Math.abs(right - rightOnnx) / AGREEMENT_IMAGES).toBeLessThan(0.02);
    expect(same / AGREEMENT_IMAGES).toBeGreaterThan(0.97);
  });
});
