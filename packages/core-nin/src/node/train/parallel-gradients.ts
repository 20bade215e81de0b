import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type { SliceGradients, StepInput, TrainableParams } from '../../training/step.ts';
import {
  rangeGradients,
  sliceOf,
  sumGradients,
  type BatchContext,
  type GradientSource,
} from '../../training/gradient-source.ts';

export type WorkerRequest =
  | { readonly type: 'init'; readonly backend: string }
  | {
      readonly type: 'compute';
      readonly params: readonly { readonly name: string; readonly data: Float32Array; readonly shape: number[] }[];
      readonly batch: StepInput;
      readonly batchCount: number;
      readonly indexOffset: number;
      readonly context: BatchContext;
      readonly microBatch: number;
    };

export type WorkerReply =
  | { readonly type: 'ready'; readonly backend: string }
  | {
      readonly type: 'result';
      readonly grads: readonly { readonly name: string; readonly data: Float32Array }[];
      readonly lossSum: number;
      readonly correct: number;
    }
  | { readonly type: 'error'; readonly message: string };

/** One worker thread and its one request in flight. */
class GradientWorker {
  readonly #worker: Worker;
  #pending: { resolve: (r: WorkerReply) => void; reject: (e: Error) => void } | null = null;
  #dead: Error | null = null;

  constructor(readonly index: number) {
    this.#worker = new Worker(new URL('./gradient-worker.mjs', import.meta.url));
    this.#worker.on('message', (m: WorkerReply) => {
      const p = this.#pending;
      this.#pending = null;
      if (m.type === 'error') p?.reject(new Error(`gradient worker ${index}: ${m.message}`));
      else p?.resolve(m);
    });
    const fail = (e: Error) => {
      this.#dead = e;
      this.#pending?.reject(e);
      this.#pending = null;
    };
    this.#worker.on('error', (e) => fail(new Error(`gradient worker ${index} crashed: ${e.message}`)));
    this.#worker.on('exit', (code) => fail(new Error(`gradient worker ${index} exited (code ${code})`)));
  }

  request(message: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
    if (this.#dead) return Promise.reject(this.#dead);
    if (this.#pending) return Promise.reject(new Error(`gradient worker ${this.index} is busy`));
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject };
      this.#worker.postMessage(message, transfer);
    });
  }

  async terminate(): Promise<void> {
    this.#worker.removeAllListeners('exit');
    await this.#worker.terminate();
  }
}

/**
 * Data-parallel gradients over `workers` threads, this one included: every batch is cut into `workers` contiguous
 * slices, each computed on its own core against the same parameters, and the slices' gradients are summed. Each
 * slice divides by the whole batch's size and draws its images' dropout masks by position, so the sum is the
 * one-thread batch gradient up to float summation order. tfjs-backend-wasm runs one thread per process under Node,
 * so this is how training uses a second core.
 */
export async function createParallelGradients(workers: number, backend: string): Promise<GradientSource> {
  if (!Number.isInteger(workers) || workers < 2)
    throw new RangeError(`parallel gradients need at least 2 workers, got ${workers}`);
  const pool = Array.from({ length: workers - 1 }, (_, i) => new GradientWorker(i + 1));
  try {
    const ready = await Promise.all(pool.map((w) => w.request({ type: 'init', backend })));
    const backends = ready.map((r) => (r.type === 'ready' ? r.backend : '?'));
    return {
      description: `${workers} threads (this one + ${pool.length} worker${pool.length > 1 ? 's' : ''} on ${backends.join(', ')})`,
      async compute(
        params: TrainableParams,
        batch: StepInput,
        context: BatchContext,
        microBatch: number,
      ): Promise<SliceGradients> {
        const n = batch.count;
        const bounds = Array.from({ length: workers + 1 }, (_, i) => Math.round((i * n) / workers));
        // The parameters as they are now; every worker gets its own copy (transferred, not cloned twice).
        const values: { name: string; data: Float32Array; shape: number[] }[] = [];
        for (const [name, p] of params) values.push({ name, data: (await p.data()) as Float32Array, shape: p.shape });
        const remote = pool.map((w, i) => {
          const start = bounds[i + 1];
          const end = bounds[i + 2];
          const copy = i === pool.length - 1 ? values : values.map((v) => ({ ...v, data: v.data.slice() }));
          const slice = sliceOf(batch, start, end);
          const own: StepInput = {
            ...slice,
            images: slice.images.slice(),
            teacherLogits: slice.teacherLogits?.slice() ?? null,
          };
          return w.request(
            { type: 'compute', params: copy, batch: own, batchCount: n, indexOffset: start, context, microBatch },
            copy.map((v) => v.data.buffer as ArrayBuffer),
          );
        });
        // This thread's share runs while the workers run theirs.
        let local: SliceGradients;
        try {
          local = await rangeGradients(params, batch, bounds[0], bounds[1], n, context, microBatch);
        } catch (e) {
          await Promise.allSettled(remote);
          throw e;
        }
        return sumGradients(async (add) => {
          add(local);
          for (const reply of await Promise.all(remote)) {
            if (reply.type !== 'result') throw new Error(`unexpected reply ${reply.type} from a gradient worker`);
            const grads = new Map(
              reply.grads.map(({ name, data }) => [name, tf.tensor(data, params.get(name)!.shape)]),
            );
            add({ grads, lossSum: reply.lossSum, correct: reply.correct });
          }
        });
      },
      async dispose() {
        await Promise.all(pool.map((w) => w.terminate()));
      },
    };
  } catch (e) {
    await Promise.all(pool.map((w) => w.terminate()));
    throw e;
  }
}
