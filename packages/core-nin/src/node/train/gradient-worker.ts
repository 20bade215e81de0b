import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { formatBackend } from '../../backends/registry.ts';
import { rangeGradients } from '../../training/gradient-source.ts';
import { activateTrainingBackend } from './backend.ts';
import type { WorkerReply, WorkerRequest } from './parallel-gradients.ts';

/**
 * One worker of the parallel gradient source: its own tfjs on its own core, a replica of the parameters that the
 * trainer refreshes before every step, and the same slice-gradient code as the trainer's own thread.
 */
const port = parentPort!;
const params = new Map<string, tf.Variable>();

const reply = (message: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

port.on('message', async (message: WorkerRequest) => {
  try {
    if (message.type === 'init') {
      const info = await activateTrainingBackend(message.backend);
      reply({ type: 'ready', backend: formatBackend(info) });
      return;
    }
    for (const { name, data, shape } of message.params) {
      const p = params.get(name);
      if (p) tf.tidy(() => p.assign(tf.tensor(data, shape)));
      else params.set(name, tf.variable(tf.tensor(data, shape), true));
    }
    const { batch, batchCount, context, microBatch, indexOffset } = message;
    const result = await rangeGradients(params, batch, 0, batch.count, batchCount, context, microBatch, indexOffset);
    const grads: { name: string; data: Float32Array }[] = [];
    for (const [name, g] of result.grads) {
      grads.push({ name, data: (await g.data()) as Float32Array });
      g.dispose();
    }
    reply(
      { type: 'result', grads, lossSum: result.lossSum, correct: result.correct },
      grads.map((g) => g.data.buffer as ArrayBuffer),
    );
  } catch (e) {
    reply({ type: 'error', message: (e as Error).stack ?? String(e) });
  }
});
