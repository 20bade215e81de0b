// The Worker under test inside workerd, called as workerd calls it: `exports.default.fetch` in the test's own isolate,
// so the engine's state (tfjs's tensors, the wasm heap) is visible to the test. Only tests that run in workerd
// import this module.
import { exports } from 'cloudflare:workers';
import { asBodyInit, type Body } from './request-bodies.ts';

/** the origin the tests' requests name (the Worker does not look at it) */
export const BASE = 'http://edge';

export const call = (request: Request): Promise<Response> => exports.default.fetch(request);
export const get = (path: string): Promise<Response> => call(new Request(BASE + path));
export const getJson = async <T = Record<string, unknown>>(path: string): Promise<T> =>
  (await (await get(path)).json()) as T;

/** POST /predict with a body of the given Content-Type (`query` e.g. `?topk=10`). */
export const predict = (type: string, body: Body, query = ''): Promise<Response> =>
  call(
    new Request(`${BASE}/predict${query}`, {
      method: 'POST',
      headers: { 'content-type': type },
      body: asBodyInit(body),
    }),
  );

/** The wasm heap the Worker reports on /health. */
export const heapOnHealth = async (): Promise<number> =>
  (await getJson<{ wasmHeapBytes: number }>('/health')).wasmHeapBytes;

/** POST /predict of a batch of `count` synthetic images as JSON pixel arrays. */
export const predictBatchOf = (count: number, image: (i: number) => Uint8Array): Promise<Response> =>
  predict(
    'application/json',
    JSON.stringify({ images: Array.from({ length: count }, (_, i) => Array.from(image(i))) }),
  );

/** One /predict answer, as the tests read it. */
export interface PredictionBody {
  index: number;
  label: string;
  probabilities: number[];
  logits: number[];
  top: { index: number; label: string; probability: number }[];
  timing: { preprocessMs: number; inferenceMs: number };
  backend: string;
}
