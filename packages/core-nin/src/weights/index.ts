// `@nin-bench/core-nin/weights`: safetensors files with PyTorch state_dict names, storages and the manifest. No tfjs.
export * from './errors.ts';
export * from './safetensors.ts';
export * from './float16.ts';
export * from './manifest.ts';
export * from './state-dict.ts';
export * from './file-name.ts';
