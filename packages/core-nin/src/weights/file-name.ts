import { WeightsError } from './errors.ts';

/**
 * The files the project writes for the model trained at one input size, by what each holds: the suffix after the
 * stem. `nin train` writes float32, int8 and the checkpoint; `nin export-onnx --int8` and `nin export-tflite --int8`
 * the int8 models beside them; the edge derives float16. Worker-safe (no Node built-ins): the edge names its files
 * with it too.
 */
export const WEIGHT_FILE_SUFFIXES = {
  float32: '.safetensors',
  float16: '.float16.safetensors',
  int8: '.int8.safetensors',
  checkpoint: '.ckpt.safetensors',
  'int8-onnx': '.int8.onnx',
  tflite: '.tflite',
  'int8-tflite': '.int8.tflite',
} as const;

/** What a model file holds; the weight storages (`float32`, `float16`, `int8`) are kinds too. */
export type WeightFileKind = keyof typeof WEIGHT_FILE_SUFFIXES;

/** `nin-fmnist-<inputSize>`: the name every file of the model trained at `inputSize` starts with. */
export function weightFileStem(inputSize: number): string {
  if (!Number.isInteger(inputSize) || inputSize <= 0)
    throw new WeightsError(`a weights file is named by a positive whole input size, not ${inputSize}`);
  return `nin-fmnist-${inputSize}`;
}

/** The file name of the model trained at `inputSize` holding `kind` (default float32), e.g. `nin-fmnist-224.int8.onnx`. */
export function weightFileName(inputSize: number, kind: WeightFileKind = 'float32'): string {
  return `${weightFileStem(inputSize)}${WEIGHT_FILE_SUFFIXES[kind]}`;
}
