// `@nin-bench/core-nin/onnx`: the ONNX encoder (float32 and calibrated int8 QDQ) and its metadata. No tfjs.
export * from './export.ts';
export * from './quantize.ts';
export * from './calibrate.ts';
export * from './metadata.ts';
