// The table of bad requests, shared by the Node-side app tests and the tests inside workerd: each row is a request
// the API must refuse, with the status and error code it must get.
import { badHttpRequests } from './bad-http-requests.ts';
import { badJsonRequests } from './bad-json-requests.ts';
import { badPictureRequests } from './bad-picture-requests.ts';
import { asBodyInit, type Body } from './request-bodies.ts';

export interface BadRequest {
  readonly name: string;
  readonly method?: string;
  readonly path?: string;
  readonly type?: string;
  /** a function when the body is a stream (a fresh one per request) */
  readonly body?: Body | (() => Body);
  readonly status: number;
  readonly code: string;
  /**
   * Sent as a stream from inside the same isolate, workerd reports the refused upload as an uncaught "Network
   * connection lost" on the sending side; such rows run under Node and over real HTTP (test/edge-wrangler-dev.test.ts).
   */
  readonly streamed?: boolean;
}

/** Every row: JSON bodies, then pictures, then raw bodies, query, media types, methods and paths. */
export function badRequests(): BadRequest[] {
  return [...badJsonRequests(), ...badPictureRequests(), ...badHttpRequests()];
}

/** The Request for a table row, against `base` (e.g. http://edge). */
export function requestFor(base: string, c: BadRequest): Request {
  const body = typeof c.body === 'function' ? c.body() : c.body;
  const headers = c.type ? { 'content-type': c.type } : undefined;
  return new Request(base + (c.path ?? '/predict'), {
    method: c.method ?? 'POST',
    headers,
    body: body === undefined ? undefined : asBodyInit(body),
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
}
