import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { BackendProvider } from './registry.ts';

/** tfjs-backend-cpu: plain JavaScript kernels, single-threaded; the reference the others are checked against. */
export const cpuBackend: BackendProvider = {
  name: 'cpu',
  variants: [],
  async activate() {
    await tf.setBackend('cpu');
    return {
      name: 'cpu',
      tfjsBackend: tf.getBackend(),
      details: { kernels: 'JavaScript (tfjs-backend-cpu)', version: tf.version_core },
    };
  },
};
