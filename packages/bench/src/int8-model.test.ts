import { rm, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NinManifest, StateDict } from '@nin-bench/core-nin/weights';
import { readOnnxMetadata, withOnnxMetadata } from '@nin-bench/core-nin/onnx';
import { encodeInt8NinOnnx, readNinWeightsFile, trainingCalibrationImages } from '@nin-bench/core-nin/node';
import { companionPath, int8ModelSource } from './int8-model.ts';
import { writeTinyModel } from '../test/fixtures/tiny-model.ts';

describe('the int8 model of the bench', () => {
  let dir: string;
  let weights: string;
  let stateDict: StateDict;
  let manifest: NinManifest;
  let companionQuantization: string;
  beforeAll(async () => {
    ({ dir, weightsPath: weights } = await writeTinyModel());
    ({ stateDict, manifest } = (await readNinWeightsFile(weights)) as { stateDict: StateDict; manifest: NinManifest });
    // What `nin export-onnx --int8` and then `nin eval --onnx --record` leave beside the weights.
    const { bytes } = await encodeInt8NinOnnx({
      stateDict,
      manifest,
      inputSize: 67,
      images: await trainingCalibrationImages(256),
      statistic: { kind: 'max' },
    });
    companionQuantization = readOnnxMetadata(bytes).quantization!;
    await writeFile(
      companionPath(weights),
      withOnnxMetadata(bytes, { accuracy: JSON.stringify({ test: 0.24, evaluatedOn: 'all 10000 test images' }) }),
    );
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('takes the committed model beside the weights, with its recorded accuracy, when it was made from them at this size', async () => {
    expect(companionPath('/w/nin-fmnist-224.safetensors')).toBe('/w/nin-fmnist-224.int8.onnx');
    const { info } = await int8ModelSource(weights, stateDict, manifest)(67);
    expect(info).toMatchObject({
      size: 67,
      testAccuracy: 0.24,
      evaluatedOn: 'all 10000 test images',
      floatTestAccuracy: null,
    });
    expect(info.source).toMatch(/tiny\.int8\.onnx \(nin export-onnx --int8\)$/);
    expect(info.calibration).toMatch(/^max of each activation over Fashion-MNIST train, 256 of 60000 images/);
  });

  it('calibrates the same way otherwise (another size, other weights), and then knows no whole-test-set accuracy', async () => {
    const source = int8ModelSource(weights, stateDict, manifest);
    const other = await source(71);
    expect(other.info).toMatchObject({ size: 71, testAccuracy: null, floatTestAccuracy: null });
    expect(other.info.source).toMatch(/^calibrated for this run \(.*tiny\.int8\.onnx is for 67 px\)$/);
    const retrained = await int8ModelSource(weights, stateDict, { ...manifest, tensorsSha256: '0'.repeat(64) })(67);
    expect(retrained.info.source).toMatch(/was made from other weights\)$/);
    // the same recipe as nin export-onnx --int8: the same scales as the committed model
    expect(readOnnxMetadata(retrained.bytes).quantization).toBe(companionQuantization);
  });
});
