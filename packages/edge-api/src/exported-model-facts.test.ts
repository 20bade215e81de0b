// What an int8 model file's metadata must say for the edge to serve it, and the one-line refusals when it does not.
import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASSES } from '@nin-bench/core-nin/data';
import {
  ExportedModelError,
  checkInputSize,
  readInt8ModelFacts,
  type ExportedModelFormat,
} from './exported-model-facts.ts';

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
