// Bad requests, part of the table in bad-requests.ts: JSON bodies that are malformed or of the wrong shape, pixels
// out of range, and batches that are empty, too large or hold a bad item.
import { EDGE_LIMITS } from '../src/limits.ts';
import type { BadRequest } from './bad-requests.ts';
import { deeplyNestedPixels } from './hostile-bodies.ts';
import { syntheticImage, toBase64 } from './request-bodies.ts';

const json = (value: unknown) => JSON.stringify(value);
const pixels = (n: number, v: unknown = 0) => Array.from({ length: n }, () => v);

export function badJsonRequests(): BadRequest[] {
  const img = Array.from(syntheticImage());
  return [
    { name: 'malformed JSON', type: 'application/json', body: '{"pixels": [1, 2,', status: 400, code: 'bad_json' },
    {
      name: 'JSON that is not UTF-8',
      type: 'application/json',
      body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
      status: 400,
      code: 'bad_json',
    },
    { name: 'JSON array at top level', type: 'application/json', body: json(img), status: 400, code: 'bad_shape' },
    {
      name: 'JSON with neither pixels nor images',
      type: 'application/json',
      body: json({ image: img }),
      status: 400,
      code: 'bad_shape',
    },
    {
      name: 'JSON with both pixels and images',
      type: 'application/json',
      body: json({ pixels: img, images: [img] }),
      status: 400,
      code: 'bad_shape',
    },
    {
      name: 'pixels not an array',
      type: 'application/json',
      body: json({ pixels: 'abc' }),
      status: 400,
      code: 'bad_shape',
    },
    {
      name: 'too few pixels',
      type: 'application/json',
      body: json({ pixels: pixels(783) }),
      status: 400,
      code: 'wrong_length',
    },
    {
      name: 'too many pixels',
      type: 'application/json',
      body: json({ pixels: pixels(785) }),
      status: 400,
      code: 'wrong_length',
    },
    {
      name: 'pixel above 255',
      type: 'application/json',
      body: json({ pixels: [...pixels(783), 256] }),
      status: 400,
      code: 'bad_pixel',
    },
    {
      name: 'negative pixel',
      type: 'application/json',
      body: json({ pixels: [-1, ...pixels(783)] }),
      status: 400,
      code: 'bad_pixel',
    },
    {
      name: 'NaN pixel (as JSON writes it: null)',
      type: 'application/json',
      body: json({ pixels: pixels(784, Number.NaN) }),
      status: 400,
      code: 'bad_pixel',
    },
    {
      name: 'pixel "NaN" as a string',
      type: 'application/json',
      body: json({ pixels: [...pixels(783), 'NaN'] }),
      status: 400,
      code: 'bad_pixel',
    },
    {
      name: 'Infinity pixel (1e999)',
      type: 'application/json',
      body: `{"pixels": [1e999${', 0'.repeat(783)}]}`,
      status: 400,
      code: 'bad_pixel',
    },
    {
      name: 'boolean pixel',
      type: 'application/json',
      body: json({ pixels: [true, ...pixels(783)] }),
      status: 400,
      code: 'bad_pixel',
    },
    {
      name: 'nested array pixel',
      type: 'application/json',
      body: json({ pixels: [[1], ...pixels(783)] }),
      status: 400,
      code: 'bad_pixel',
    },
    {
      name: 'pixel nested 100,000 arrays deep',
      type: 'application/json',
      body: deeplyNestedPixels(100_000),
      status: 400,
      code: 'bad_pixel',
    },
    { name: 'empty batch', type: 'application/json', body: json({ images: [] }), status: 400, code: 'bad_shape' },
    {
      name: 'batch over the maximum',
      type: 'application/json',
      body: json({ images: Array.from({ length: EDGE_LIMITS.maxBatch + 1 }, () => img) }),
      status: 400,
      code: 'batch_too_large',
    },
    {
      name: 'batch item of wrong length',
      type: 'application/json',
      body: json({ images: [img, pixels(100)] }),
      status: 400,
      code: 'wrong_length',
    },
    {
      name: 'batch item with a bad pixel',
      type: 'application/json',
      body: json({ images: [{ pixels: [...pixels(783), 999] }] }),
      status: 400,
      code: 'bad_pixel',
    },
    {
      name: 'batch item of unknown shape',
      type: 'application/json',
      body: json({ images: ['hello'] }),
      status: 400,
      code: 'bad_shape',
    },
    {
      name: 'batch PNG not base64',
      type: 'application/json',
      body: json({ images: [{ png: '***' }] }),
      status: 400,
      code: 'bad_base64',
    },
    {
      name: 'batch PNG undecodable',
      type: 'application/json',
      body: json({ images: [{ png: toBase64(new Uint8Array([1, 2, 3, 4])) }] }),
      status: 400,
      code: 'undecodable_image',
    },
  ];
}
