import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WeightsError } from './errors.ts';
import { weightFileName, weightFileStem } from './file-name.ts';

const WEIGHTS_DIR = join(import.meta.dirname, '../../weights');

describe('weightFileName', () => {
  it('names each file of a model by its input size and what it holds', () => {
    expect(weightFileStem(224)).toBe('nin-fmnist-224');
    expect(weightFileName(224)).toBe('nin-fmnist-224.safetensors');
    expect(weightFileName(96, 'float32')).toBe('nin-fmnist-96.safetensors');
    expect(weightFileName(224, 'float16')).toBe('nin-fmnist-224.float16.safetensors');
    expect(weightFileName(100, 'int8')).toBe('nin-fmnist-100.int8.safetensors');
    expect(weightFileName(67, 'checkpoint')).toBe('nin-fmnist-67.ckpt.safetensors');
    expect(weightFileName(100, 'int8-onnx')).toBe('nin-fmnist-100.int8.onnx');
    expect(weightFileName(224, 'int8-tflite')).toBe('nin-fmnist-224.int8.tflite');
  });

  it('names the files committed in packages/core-nin/weights', () => {
    for (const [size, kind] of [
      [224, 'float32'],
      [224, 'int8'],
      [224, 'int8-onnx'],
      [96, 'float32'],
      [100, 'int8-onnx'],
    ] as const)
      expect(existsSync(join(WEIGHTS_DIR, weightFileName(size, kind))), weightFileName(size, kind)).toBe(true);
  });

  it('refuses a size that is not a positive whole number', () => {
    for (const size of [0, -3, 22.5, Number.NaN])
      expect(() => weightFileName(size)).toThrow(
        new WeightsError(`a weights file is named by a positive whole input size, not ${size}`),
      );
  });
});
