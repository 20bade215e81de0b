// Runtime-agnostic edge app: bring your own classifier (the Workers entry is src/worker.ts).
export * from './app.ts';
export * from './classifier.ts';
export * from './engine.ts';
export * from './errors.ts';
export * from './input.ts';
export * from './lazy.ts';
export * from './limits.ts';
