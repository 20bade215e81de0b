// `@nin-bench/core-nin/training`: the one trainer and its parts. Runtime-agnostic, but training needs tfjs's
// gradients registered (`./gradients.ts`, a side effect) and, on wasm, `registerWasmTrainingKernels()`.
export * from './recipe.ts';
export * from './init.ts';
export * from './optimizer.ts';
export * from './sgd.ts';
export * from './adamw.ts';
export * from './augment.ts';
export * from './step.ts';
export * from './gradient-source.ts';
export * from './micro-batch.ts';
export * from './fit-schedule.ts';
export * from './shuffle.ts';
export * from './evaluate.ts';
export * from './trainer.ts';
export * from '../backends/wasm-training-kernels.ts';
