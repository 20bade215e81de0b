// `@nin-bench/core-nin/tflite`: the `.tflite` writer (float32 and calibrated int8, for LiteRT) and its metadata.
// Worker-safe: no Node built-ins, no tfjs. The calibration is the ONNX writer's (quantize/calibrate.ts), so
// `export-onnx --int8` and `export-tflite --int8` store the same scales.
export * from './export.ts';
export * from './metadata.ts';
export { readTflite, writeTflite, TFLITE_BUFFER_ALIGNMENT, TFLITE_SIGNATURE_KEY } from './writer.ts';
export type { TfliteGraph, TfliteOperator, TfliteQuantization, TfliteTensor } from './writer.ts';
export type { NinQuantization, CalibrationRecord } from '../quantize/calibrate.ts';
