// `@nin-bench/core-nin/backends`: the registry and the wasm backend (what inference anywhere needs). The JavaScript
// cpu backend is `@nin-bench/core-nin/backends/cpu`: importing it registers tfjs-backend-cpu's kernels.
export * from './registry.ts';
export * from './wasm.ts';
