// Bad requests, part of the table in bad-requests.ts: pictures (PNG, JPEG, WebP) that do not decode, and pictures
// over the pixel limit, which must be refused from their headers, before anything is inflated.
import type { BadRequest } from './bad-requests.ts';
import { bigBlankPng, jpegHeader, pngBomb, pngHeader } from './hostile-bodies.ts';
import { pngGray8, syntheticImage, toBase64 } from './request-bodies.ts';

const json = (value: unknown) => JSON.stringify(value);

export function badPictureRequests(): BadRequest[] {
  const validPng = pngGray8(syntheticImage());
  return [
    {
      name: 'PNG that is not a PNG',
      type: 'image/png',
      body: new TextEncoder().encode('GIF89a... not a png at all, sorry'),
      status: 400,
      code: 'undecodable_image',
    },
    {
      name: 'PNG truncated after the header',
      type: 'image/png',
      body: validPng.subarray(0, 40),
      status: 400,
      code: 'undecodable_image',
    },
    {
      name: 'PNG with a corrupt data stream',
      type: 'image/png',
      body: Uint8Array.from(validPng, (b, i) => (i > 40 && i < validPng.length - 20 ? b ^ 0x5a : b)),
      status: 400,
      code: 'undecodable_image',
    },
    {
      name: 'PNG header claiming 1 x 0 pixels',
      type: 'image/png',
      body: pngHeader(1, 0),
      status: 400,
      code: 'undecodable_image',
    },
    {
      name: 'PNG over the pixel limit (header checked before decoding)',
      type: 'image/png',
      body: pngHeader(20000, 20000),
      status: 400,
      code: 'image_too_large',
    },
    {
      name: 'PNG bomb (declares 1x1, data inflates to 8 MiB)',
      type: 'image/png',
      body: pngBomb(),
      status: 400,
      code: 'image_too_large',
    },
    {
      name: 'batch whose pictures together are over the pixel limit (each alone is under it)',
      type: 'application/json',
      body: json({ images: [{ image: toBase64(bigBlankPng()) }, { image: toBase64(bigBlankPng()) }] }),
      status: 400,
      code: 'image_too_large',
    },
    {
      name: 'batch PNG bomb',
      type: 'application/json',
      body: json({ images: [{ png: toBase64(pngBomb()) }] }),
      status: 400,
      code: 'image_too_large',
    },
    {
      name: 'JPEG cut after its first marker',
      type: 'image/jpeg',
      body: new Uint8Array([0xff, 0xd8, 0xff]),
      status: 400,
      code: 'undecodable_image',
    },
    {
      name: 'JPEG over the pixel limit (SOF checked before decoding)',
      type: 'image/jpeg',
      body: jpegHeader(20000, 20000),
      status: 400,
      code: 'image_too_large',
    },
    {
      name: 'WebP that is not a WebP',
      type: 'image/webp',
      body: new TextEncoder().encode('RIFF\x10\x00\x00\x00WEBPVP8 garbage, sorry'),
      status: 400,
      code: 'undecodable_image',
    },
    {
      name: 'batch picture that is text',
      type: 'application/json',
      body: json({ images: [{ image: toBase64(new TextEncoder().encode('hello, not a picture')) }] }),
      status: 400,
      code: 'undecodable_image',
    },
  ];
}
