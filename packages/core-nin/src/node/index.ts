// Node-only side of the core: file I/O, downloads, Dawn, libtensorflow and the CLI live here.
export * from './backends.ts';
export * from './webgpu.ts';
export * from './tensorflow.ts';
export * from './charts.ts';
export * from './fashion-mnist.ts';
export * from './weights-file.ts';
export * from './int8-onnx.ts';
export * from './train/run.ts';
export * from './train/backend.ts';
export * from './train/curve.ts';
export * from './atomic-write.ts';
export * from './image-decoder-wasm.ts';
export * from './litert.ts';
