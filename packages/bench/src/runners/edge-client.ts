import type { Batch } from './runner.ts';

// The edge row's requests, as any client sends them: single images as 784 raw bytes, batches as JSON.

/**
 * Calls `request` from `clients` concurrent loops until `budget.timeMs` has passed and at least
 * `budget.minIterations` calls were made; returns the count, the elapsed ms and each call's latency.
 */
export async function timedLoop(
  budget: { readonly timeMs: number; readonly minIterations: number },
  clients: number,
  request: () => Promise<void>,
): Promise<{ count: number; ms: number; latencies: number[] }> {
  const latencies: number[] = [];
  const t0 = performance.now();
  const more = () => performance.now() - t0 < budget.timeMs || latencies.length < budget.minIterations;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (more()) {
        const t = performance.now();
        await request();
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { count: latencies.length, ms: performance.now() - t0, latencies };
}

/** POSTs one image (784 raw bytes, or a photo file of `type`) to `at`/predict; the answer is read whole. */
export async function predictOne(at: string, image: Uint8Array, type = 'application/octet-stream'): Promise<void> {
  const res = await fetch(`${at}/predict?topk=1`, {
    method: 'POST',
    headers: { 'content-type': type },
    body: image as Uint8Array<ArrayBuffer>,
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`/predict answered ${res.status}`);
}

/** A batch's logits from `at`/predict: one image as raw bytes, several as JSON `{"images": [...]}`. */
export async function predictLogits(at: string, batch: Batch): Promise<Float32Array> {
  const single = batch.n === 1;
  const res = await fetch(`${at}/predict?topk=1`, {
    method: 'POST',
    headers: { 'content-type': single ? 'application/octet-stream' : 'application/json' },
    body: single
      ? (batch.images as Uint8Array<ArrayBuffer>)
      : JSON.stringify({
          images: Array.from({ length: batch.n }, (_, i) => Array.from(batch.images.subarray(i * 784, (i + 1) * 784))),
        }),
  });
  const body = (await res.json()) as {
    logits?: number[];
    predictions?: { logits: number[] }[];
    error?: { message: string };
  };
  if (res.status !== 200)
    throw new Error(`/predict answered ${res.status}: ${body.error?.message ?? JSON.stringify(body)}`);
  const rows = single ? [body.logits!] : body.predictions!.map((p) => p.logits);
  return Float32Array.from(rows.flat());
}
