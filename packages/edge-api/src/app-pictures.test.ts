// The app with the pictures people have: product photos in JPEG (with an EXIF orientation), PNG and WebP, the fit
// it applied, the tile it saw (?explain=1) and the Server-Timing header. The classifier is a stub that records its
// input: what is tested here is what reaches the model.
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { FASHION_MNIST_PIXELS, toModelTile } from '@nin-bench/core-nin/data';
import { decodeImage, type ImageDecoderWasm } from '@nin-bench/core-nin/data/decode-image';
import { photoStyleFile, photoStyleImage, photoVariant } from '@nin-bench/core-nin/data/photo-style';
import { loadFashionMnist, nodeImageDecoderWasm } from '@nin-bench/core-nin/node';
import { createApp } from './app.ts';
import { readyClassifier } from './lazy.ts';
import { asBodyInit, type Body } from '../test/requests.ts';
import { stubClassifier } from '../test/stub-classifier.ts';

/** The same picture as a JPEG whose pixels are stored turned (EXIF orientation 6: shown turned 90° clockwise). */
function jpegWithOrientation6(png: Uint8Array): Uint8Array {
  const script = `import io, sys
from PIL import Image
im = Image.open(io.BytesIO(sys.stdin.buffer.read())).convert('RGB')
exif = Image.Exif(); exif[0x0112] = 6
# stored turned 90 degrees counter-clockwise: a viewer applying orientation 6 turns it back upright
out = io.BytesIO(); im.transpose(Image.Transpose.ROTATE_90).save(out, 'JPEG', quality=92, exif=exif.tobytes())
sys.stdout.buffer.write(out.getvalue())`;
  return new Uint8Array(execFileSync('/usr/bin/python3', ['-c', script], { input: png }));
}

interface Answer {
  fit: 'photo' | 'tile';
  fitReason: string;
  input: { format: string; width: number; height: number; orientation: number };
  tile?: number[];
  timing: { decodeMs: number; preprocessMs: number; inferenceMs: number };
}

describe('the app with photos: JPEG, PNG, WebP; fit; explain; Server-Timing', () => {
  let wasm: ImageDecoderWasm;
  let tile: Uint8Array;
  beforeAll(async () => {
    wasm = await nodeImageDecoderWasm();
    tile = (await loadFashionMnist('test', { download: false })).images.slice(0, FASHION_MNIST_PIXELS);
  });
  const post = (app: ReturnType<typeof createApp>, type: string, body: Body, query = '') =>
    app.request(`/predict${query}`, { method: 'POST', headers: { 'content-type': type }, body: asBodyInit(body) });

  it('converts a product photo (JPEG, light backdrop) as Fashion-MNIST did, and says so', async () => {
    const stub = stubClassifier();
    const app = createApp({ classifier: readyClassifier(stub), decoderWasm: wasm, log: () => {} });
    const jpeg = photoStyleFile(tile, photoVariant('grey-jpeg'), 7);
    const res = await post(app, 'image/jpeg', jpeg, '?explain=1');
    expect(res.status).toBe(200);
    const answer = (await res.json()) as Answer;
    expect(answer).toMatchObject({ fit: 'photo', input: { format: 'jpeg', orientation: 1 } });
    expect(answer.input.width).toBeGreaterThan(100);
    // what reached the model is the core's conversion of the decoded picture, and explain shows exactly that
    const expected = toModelTile(await decodeImage(jpeg, { wasm }), 'photo').tile;
    expect(stub.calls[0]).toEqual(expected);
    expect(answer.tile).toEqual(Array.from(expected));
    // close to the data set's own tile (mean absolute difference in gray levels)
    expect(expected.reduce((s, v, i) => s + Math.abs(v - tile[i]), 0) / 784).toBeLessThan(25);
    // the same picture with fit=tile is only resized: a different input
    await post(app, 'image/jpeg', jpeg, '?fit=tile');
    expect(stub.calls[1]).not.toEqual(expected);
  });

  it('answers a phone JPEG with an EXIF rotation upright', async () => {
    const stub = stubClassifier();
    const app = createApp({ classifier: readyClassifier(stub), decoderWasm: wasm, log: () => {} });
    const upright = photoStyleImage(
      tile,
      { ...photoVariant('white-png'), longSide: [400, 400], aspect: [0.75, 0.75] },
      3,
    );
    const png = photoStyleFile(tile, { ...photoVariant('white-png'), longSide: [400, 400], aspect: [0.75, 0.75] }, 3);
    const turned = jpegWithOrientation6(png);
    const answer = (await (await post(app, 'image/jpeg', turned)).json()) as Answer;
    expect(answer.input).toMatchObject({
      format: 'jpeg',
      orientation: 6,
      width: upright.width,
      height: upright.height,
    });
    const fromPng = toModelTile(await decodeImage(png, { wasm }), 'auto').tile;
    const diff = stub.calls[0].reduce((s, v, i) => s + Math.abs(v - fromPng[i]), 0) / 784;
    expect(diff).toBeLessThan(6); // JPEG's loss only; a picture left on its side would differ by far more
  });

  it('takes WebP, and a batch of base64 pictures of any format', async () => {
    const stub = stubClassifier();
    const app = createApp({ classifier: readyClassifier(stub), decoderWasm: wasm, log: () => {} });
    const png = photoStyleFile(tile, photoVariant('white-png'), 1);
    const webp = new Uint8Array(
      execFileSync(
        '/usr/bin/python3',
        [
          '-c',
          'import io,sys; from PIL import Image; o=io.BytesIO(); ' +
            "Image.open(io.BytesIO(sys.stdin.buffer.read())).save(o,'WEBP',lossless=True); sys.stdout.buffer.write(o.getvalue())",
        ],
        { input: png },
      ),
    );
    const single = (await (await post(app, 'image/webp', webp)).json()) as Answer;
    expect(single).toMatchObject({ fit: 'photo', input: { format: 'webp' } });
    const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
    const res = await post(
      app,
      'application/json',
      JSON.stringify({ images: [{ image: b64(webp) }, { image: b64(png) }, { png: b64(png) }, Array.from(tile)] }),
    );
    const batch = (await res.json()) as { predictions: Answer[] };
    expect(batch.predictions.map((p) => [p.input.format, p.fit])).toEqual([
      ['webp', 'photo'],
      ['png', 'photo'],
      ['png', 'photo'],
      ['pixels', 'tile'],
    ]);
    // lossless WebP and PNG of the same picture: the same tile
    expect(stub.calls[1].subarray(0, 784)).toEqual(stub.calls[0]);
    expect(stub.calls[1].subarray(784, 1568)).toEqual(stub.calls[0]);
    expect(stub.calls[1].subarray(3 * 784)).toEqual(tile);
  });

  it('sends Server-Timing with decode, tile, preprocess, inference and total', async () => {
    const app = createApp({ classifier: readyClassifier(stubClassifier()), decoderWasm: wasm, log: () => {} });
    const res = await post(app, 'image/png', photoStyleFile(tile, photoVariant('white-png'), 2));
    const header = res.headers.get('server-timing') ?? '';
    expect(header.split(/,\s*/).map((m) => m.split(';')[0])).toEqual([
      'decode',
      'tile',
      'preprocess',
      'inference',
      'total',
    ]);
    expect(header).toMatch(/(^|,)inference;dur=2(\.0)?;desc="forward pass"(,|$)/);
    expect(res.headers.get('timing-allow-origin')).toBe('*');
  });
});
