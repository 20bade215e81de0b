// `@nin-bench/core-nin`: what inference needs anywhere (model, weights, data, the backend registry with wasm).
// Runtime-agnostic: safe to bundle for browsers and Cloudflare Workers (no Node built-ins). Training, ONNX, the
// cpu backend and the Node side have their own entry points (`/training`, `/onnx`, `/backends/cpu`, `/node`), so
// that importing this one never loads them.
export * from './model/index.ts';
export * from './weights/index.ts';
export * from './data/index.ts';
export * from './backends/index.ts';
