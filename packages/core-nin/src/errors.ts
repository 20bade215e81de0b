// `@nin-bench/core-nin/errors`: the core's error types, importable without loading tfjs.
export { BackendUnavailableError } from './backends/unavailable.ts';
export { WeightsError } from './weights/errors.ts';
