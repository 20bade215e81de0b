// `@nin-bench/core-nin/model`: the NiN itself (layers, forward pass, parameters, the classifier). Runtime-agnostic.
export * from './architecture.ts';
export * from './nin.ts';
export * from './params.ts';
export * from './classifier.ts';
