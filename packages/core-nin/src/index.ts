// Runtime-agnostic core: safe to bundle for browsers and Cloudflare Workers (no Node built-ins).
export * from './model/architecture.ts';
export * from './model/nin.ts';
export * from './model/params.ts';
export * from './model/classifier.ts';
export * from './weights/errors.ts';
export * from './weights/safetensors.ts';
export * from './weights/float16.ts';
export * from './weights/manifest.ts';
export * from './weights/state-dict.ts';
export * from './data/classes.ts';
export * from './data/preprocess.ts';
export * from './data/png.ts';
export * from './data/idx.ts';
export * from './backends/registry.ts';
export * from './backends/cpu.ts';
export * from './backends/wasm.ts';
export * from './onnx/export.ts';
