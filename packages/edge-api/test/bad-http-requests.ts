// Bad requests, part of the table in bad-requests.ts: raw bodies of the wrong length or over the size limit, query
// parameters out of range, unsupported media types, and methods or paths the API does not serve.
import { EDGE_LIMITS } from '../src/limits.ts';
import type { BadRequest } from './bad-requests.ts';
import { endlessBody } from './hostile-bodies.ts';
import { syntheticImage } from './request-bodies.ts';

export function badHttpRequests(): BadRequest[] {
  const img = Array.from(syntheticImage());
  const over = EDGE_LIMITS.maxBodyBytes + 1;
  return [
    { name: 'empty body', type: 'application/octet-stream', body: new Uint8Array(0), status: 400, code: 'empty_body' },
    {
      name: 'octet-stream of 783 bytes',
      type: 'application/octet-stream',
      body: new Uint8Array(783),
      status: 400,
      code: 'wrong_length',
    },
    {
      name: 'octet-stream of 785 bytes',
      type: 'application/octet-stream',
      body: new Uint8Array(785),
      status: 400,
      code: 'wrong_length',
    },
    {
      name: 'topk=0',
      path: '/predict?topk=0',
      type: 'application/octet-stream',
      body: new Uint8Array(784),
      status: 400,
      code: 'bad_topk',
    },
    {
      name: 'topk=11',
      path: '/predict?topk=11',
      type: 'application/octet-stream',
      body: new Uint8Array(784),
      status: 400,
      code: 'bad_topk',
    },
    {
      name: 'topk=abc',
      path: '/predict?topk=abc',
      type: 'application/octet-stream',
      body: new Uint8Array(784),
      status: 400,
      code: 'bad_topk',
    },
    {
      name: 'body over the limit',
      type: 'application/octet-stream',
      body: new Uint8Array(over),
      status: 413,
      code: 'body_too_large',
    },
    {
      name: 'streamed body over the limit',
      type: 'application/octet-stream',
      body: () => endlessBody({ bytes: 0 }, 2 * EDGE_LIMITS.maxBodyBytes),
      status: 413,
      code: 'body_too_large',
      streamed: true,
    },
    { name: 'no Content-Type', body: new Uint8Array(784), status: 415, code: 'unsupported_media_type' },
    {
      name: 'text/plain',
      type: 'text/plain',
      body: JSON.stringify({ pixels: img }),
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      name: 'multipart/form-data',
      type: 'multipart/form-data; boundary=x',
      body: '--x--',
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      name: 'image/gif',
      type: 'image/gif',
      body: new TextEncoder().encode('GIF89a'),
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      name: 'fit=square',
      path: '/predict?fit=square',
      type: 'application/octet-stream',
      body: new Uint8Array(784),
      status: 400,
      code: 'bad_fit',
    },
    {
      name: 'explain=maybe',
      path: '/predict?explain=maybe',
      type: 'application/octet-stream',
      body: new Uint8Array(784),
      status: 400,
      code: 'bad_explain',
    },
    { name: 'GET /predict', method: 'GET', status: 405, code: 'method_not_allowed' },
    {
      name: 'PUT /predict',
      method: 'PUT',
      type: 'application/octet-stream',
      body: new Uint8Array(784),
      status: 405,
      code: 'method_not_allowed',
    },
    { name: 'POST /health', method: 'POST', path: '/health', status: 405, code: 'method_not_allowed' },
    { name: 'DELETE /model', method: 'DELETE', path: '/model', status: 405, code: 'method_not_allowed' },
    { name: 'GET /nothing-here', method: 'GET', path: '/nothing-here', status: 404, code: 'not_found' },
    {
      name: 'POST /predict/extra',
      path: '/predict/extra',
      type: 'application/octet-stream',
      body: new Uint8Array(784),
      status: 404,
      code: 'not_found',
    },
  ];
}
