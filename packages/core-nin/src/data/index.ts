// `@nin-bench/core-nin/data`: Fashion-MNIST's classes and IDX format, preprocessing, PNG decoding. No tfjs.
export * from './classes.ts';
export * from './preprocess.ts';
export * from './png.ts';
export * from './idx.ts';
