// The int8 engines' shared part on its own: what the metadata must say, and a forward pass bounded to a few images.
import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_PIXELS } from '@nin-bench/core-nin/data';
import { NUM_CLASSES, parameterCount } from '@nin-bench/core-nin/model/architecture';
import {
  ExportedModelError,
  checkInputSize,
  classifyEach,
  forwardInBatches,
  int8ModelInfo,
  readInt8ModelFacts,
  type ExportedModelFormat,
} from './exported-model.ts';

const FORMAT: ExportedModelFormat = { name: 'ONNX', int8Export: 'nin export-onnx --int8', accuracyKey: 'accuracy' };

describe('readInt8ModelFacts', () => {
  it('reads the recorded test accuracy, and null where none (or no number) was recorded', () => {
    const meta = { quantization: '{}', classes: JSON.stringify(FASHION_MNIST_CLASSES) };
    expect(readInt8ModelFacts({ ...meta, accuracy: '{"test":0.9012}' }, FORMAT)).toEqual({
      manifest: null,
      testAccuracy: 0.9012,
    });
    expect(readInt8ModelFacts(meta, FORMAT).testAccuracy).toBeNull();
    expect(readInt8ModelFacts({ ...meta, accuracy: '{"test":"high"}' }, FORMAT).testAccuracy).toBeNull();
  });

  it('refuses a float model, other classes and another input size, naming the format', () => {
    expect(() => readInt8ModelFacts({}, FORMAT)).toThrow(
      new ExportedModelError(
        'the bundled ONNX model is not the int8 one (no quantization metadata): export it with nin export-onnx --int8',
      ),
    );
    expect(() => readInt8ModelFacts({ quantization: '{}', classes: '["cat","dog"]' }, FORMAT)).toThrow(
      /^the bundled ONNX model has other class names than Fashion-MNIST$/,
    );
    expect(() => checkInputSize(224, 100, FORMAT)).toThrow(
      /^INPUT_SIZE is 224 but the bundled ONNX model is for 100 px$/,
    );
    expect(() => checkInputSize(undefined, 100, FORMAT)).not.toThrow();
  });
});

describe('forwardInBatches and classifyEach', () => {
  const inputSize = 4;
  /** logits that say which image a row came from: its first pixel, as every class's score */
  const firstPixelPass = (passes: number[]) => async (input: Float32Array, count: number) => {
    passes.push(count);
    const logits = new Float32Array(count * NUM_CLASSES);
    for (let i = 0; i < count; i++)
      logits.fill(input[i * inputSize * inputSize], i * NUM_CLASSES, (i + 1) * NUM_CLASSES);
    return logits;
  };

  it('runs at most forwardBatch images a pass and keeps every row in its place', async () => {
    const passes: number[] = [];
    const forward = forwardInBatches(firstPixelPass(passes), inputSize, 2);
    const input = new Float32Array(5 * inputSize * inputSize);
    for (let i = 0; i < 5; i++) input[i * inputSize * inputSize] = i + 1;
    const logits = await forward(input, 5);
    expect(passes).toEqual([2, 2, 1]);
    expect(Array.from({ length: 5 }, (_, i) => logits[i * NUM_CLASSES])).toEqual([1, 2, 3, 4, 5]);
    await forwardInBatches(firstPixelPass(passes), inputSize, undefined)(input, 5);
    expect(passes.at(-1)).toBe(5);
  });

  it('answers each image with its logits and times preprocessing and inference apart', async () => {
    let clock = 0;
    const classify = classifyEach(forwardInBatches(firstPixelPass([]), inputSize, 1), inputSize, () => (clock += 10));
    const result = await classify(new Uint8Array(2 * FASHION_MNIST_PIXELS), 2, 3);
    expect(result.predictions).toHaveLength(2);
    expect(result.predictions[0].logits).toHaveLength(NUM_CLASSES);
    expect(result.predictions[0].top).toHaveLength(3);
    expect(result.timing).toEqual({ preprocessMs: 10, inferenceMs: 10 });
    await expect(classify(new Uint8Array(10), 1, 1)).rejects.toThrow(/^expected 1 28x28 images, got 10 bytes$/);
  });
});

describe('int8ModelInfo', () => {
  it('describes the int8 NiN at the given size, with the sha256 of the file', async () => {
    const info = await int8ModelInfo(new TextEncoder().encode('abc'), 100, { manifest: null, testAccuracy: 0.9 });
    expect(info).toMatchObject({ inputSize: 100, weightPrecision: 'int8', testAccuracy: 0.9, manifest: null });
    expect(info.parameterCount).toBe(parameterCount());
    expect(info.sha256).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
