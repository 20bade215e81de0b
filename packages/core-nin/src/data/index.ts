// `@nin-bench/core-nin/data`: Fashion-MNIST's classes and IDX format, preprocessing, image decoding. No tfjs.
export * from './classes.ts';
export * from './preprocess.ts';
export * from './image.ts';
export * from './png.ts';
export * from './model-tile.ts';
export * from './idx.ts';
