import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError, type BackendProvider } from '../backends/registry.ts';

/**
 * tfjs-node / tfjs-node-gpu (libtensorflow). They are optional dependencies: their install script downloads
 * libtensorflow 2.9.1 (the GPU build needs CUDA 11.2 and cuDNN 8.1), which fails offline. Absence is reported.
 */
export const tensorflowBackend: BackendProvider = {
  name: 'tensorflow',
  variants: ['gpu', 'cpu'],
  async activate(variant) {
    const pkg = variant === 'gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
    try {
      await import(/* @vite-ignore */ pkg);
    } catch (e) {
      const code = (e as { code?: string }).code;
      const reason =
        code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND'
          ? `${pkg} not installed (optional: its install downloads libtensorflow 2.9.1${variant === 'gpu' ? ', which needs CUDA 11.2 and cuDNN 8.1' : ''})`
          : `${pkg} failed to load: ${(e as Error).message.split('\n')[0]}`;
      throw new BackendUnavailableError(`tensorflow:${variant}`, reason);
    }
    if (!(await tf.setBackend('tensorflow')))
      throw new BackendUnavailableError(`tensorflow:${variant}`, 'libtensorflow failed to initialise');
    return { name: 'tensorflow', variant, tfjsBackend: tf.getBackend(), details: { package: pkg } };
  },
};
