import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IdxFormatError } from '../data/idx.ts';
import { gzip, idxBytes, syntheticImages } from '../../test/fixtures/idx.ts';
import {
  DatasetError,
  FASHION_MNIST_CHECKSUMS,
  SYSTEM_FASHION_MNIST_DIR,
  loadFashionMnist,
  type FileChecksum,
} from './fashion-mnist.ts';

const IMAGES = 't10k-images-idx3-ubyte';
const LABELS = 't10k-labels-idx1-ubyte';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'fmnist-test-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const goodImages = idxBytes([3, 28, 28], syntheticImages(3));
const goodLabels = idxBytes([3], [9, 0, 4]);

async function fixtureDir(images: Uint8Array, labels: Uint8Array, compressed = false): Promise<string> {
  const dir = await tempDir();
  const suffix = compressed ? '.gz' : '';
  await writeFile(join(dir, IMAGES + suffix), compressed ? gzip(images) : images);
  await writeFile(join(dir, LABELS + suffix), compressed ? gzip(labels) : labels);
  return dir;
}

function checksumsOf(images: Uint8Array, labels: Uint8Array): Record<string, FileChecksum> {
  const sums = (raw: Uint8Array): FileChecksum => ({
    gzMd5: createHash('md5').update(gzip(raw)).digest('hex'),
    idxSha256: createHash('sha256').update(raw).digest('hex'),
  });
  return { [IMAGES]: sums(images), [LABELS]: sums(labels) };
}

describe('loadFashionMnist from a directory', () => {
  it.each([false, true])('reads raw and gzipped IDX files (gzip: %s)', async (compressed) => {
    const dir = await fixtureDir(goodImages, goodLabels, compressed);
    const data = await loadFashionMnist('test', {
      dir,
      download: false,
      checksums: checksumsOf(goodImages, goodLabels),
    });
    expect(data.count).toBe(3);
    expect(Array.from(data.labels)).toEqual([9, 0, 4]);
    expect(Array.from(data.images)).toEqual(Array.from(syntheticImages(3)));
  });

  it('refuses a file whose content differs from the expected checksum, naming the file', async () => {
    const dir = await fixtureDir(goodImages, goodLabels, true);
    // The official checksums apply by default: the fixture is not the official test set.
    await expect(loadFashionMnist('test', { dir, download: false })).rejects.toThrow(
      expect.objectContaining({ name: 'DatasetError', message: expect.stringMatching(/t10k-(images|labels).*sha256/) }),
    );
  });

  const cases: [string, Uint8Array, Uint8Array, RegExp][] = [
    [
      'bad magic',
      idxBytes([3, 28, 28], syntheticImages(3), 0x0d03),
      goodLabels,
      /t10k-images-idx3-ubyte: bad magic number 0x00000d03/,
    ],
    ['a short file', new Uint8Array([0, 0, 8]), goodLabels, /t10k-images-idx3-ubyte: 3 bytes is too short/],
    [
      'a truncated header',
      idxBytes([3, 28, 28], []).subarray(0, 10),
      goodLabels,
      /t10k-images-idx3-ubyte: truncated header \(10 of 16 bytes\)/,
    ],
    [
      'a wrong count',
      idxBytes([3, 28, 28], syntheticImages(2)),
      goodLabels,
      /t10k-images-idx3-ubyte: dimensions 3x28x28 need 2352 bytes of data, the file has 1568/,
    ],
    [
      'a label out of range',
      goodImages,
      idxBytes([3], [9, 10, 4]),
      /t10k-labels-idx1-ubyte: label 10 at index 1 is not a class/,
    ],
    [
      'a count mismatch',
      goodImages,
      idxBytes([2], [9, 0]),
      /t10k-images-idx3-ubyte holds 3 images but .*t10k-labels-idx1-ubyte holds 2 labels/,
    ],
    [
      'images that are not 28x28',
      idxBytes([1, 28, 27], new Uint8Array(28 * 27)),
      idxBytes([1], [0]),
      /images are 28x27, expected 28x28/,
    ],
  ];
  it.each(cases)('gives an IdxFormatError naming the file for %s', async (_, images, labels, message) => {
    const dir = await fixtureDir(images, labels);
    const load = loadFashionMnist('test', { dir, download: false, checksums: false });
    await expect(load).rejects.toBeInstanceOf(IdxFormatError);
    await expect(load).rejects.toThrow(message);
  });

  it('gives a DatasetError naming the file for corrupt gzip data', async () => {
    const dir = await fixtureDir(goodImages, goodLabels, true);
    const broken = gzip(goodImages).subarray(0, 100);
    await writeFile(join(dir, `${IMAGES}.gz`), broken);
    await expect(loadFashionMnist('test', { dir, download: false, checksums: false })).rejects.toThrow(
      new RegExp(`${IMAGES}\\.gz: corrupt gzip data`),
    );
  });

  it('says where it looked when the files are missing and downloads are off', async () => {
    const dir = await tempDir();
    await expect(loadFashionMnist('train', { dir, download: false })).rejects.toThrow(
      expect.objectContaining({ name: 'DatasetError', message: expect.stringContaining(`not found in ${dir}`) }),
    );
  });

  it('looks in $FASHION_MNIST_DIR first', async () => {
    const dir = await fixtureDir(goodImages, goodLabels);
    const before = process.env.FASHION_MNIST_DIR;
    process.env.FASHION_MNIST_DIR = dir;
    try {
      const data = await loadFashionMnist('test', { download: false, checksums: false });
      expect(data.count).toBe(3);
    } finally {
      if (before === undefined) delete process.env.FASHION_MNIST_DIR;
      else process.env.FASHION_MNIST_DIR = before;
    }
  });
});

describe('loadFashionMnist downloads', () => {
  let server: Server;
  let baseUrl: string;
  const served = new Map<string, Uint8Array>();
  const requests: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      const body = served.get(req.url ?? '');
      if (!body) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200, { 'content-length': body.byteLength }).end(body);
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mirror/`;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));
  afterEach(() => {
    served.clear();
    requests.length = 0;
  });

  function serve(images: Uint8Array, labels: Uint8Array): void {
    served.set(`/mirror/${IMAGES}.gz`, gzip(images));
    served.set(`/mirror/${LABELS}.gz`, gzip(labels));
  }

  it('fetches the two files, verifies them, reports progress, and leaves only whole files', async () => {
    serve(goodImages, goodLabels);
    const dir = await tempDir();
    const progress: { file: string; receivedBytes: number; totalBytes: number | undefined }[] = [];
    const data = await loadFashionMnist('test', {
      dir,
      baseUrl,
      checksums: checksumsOf(goodImages, goodLabels),
      onProgress: (p) => progress.push(p),
    });
    expect(data.count).toBe(3);
    expect(requests.sort()).toEqual([`/mirror/${IMAGES}.gz`, `/mirror/${LABELS}.gz`].sort());
    expect((await readdir(dir)).sort()).toEqual([`${IMAGES}.gz`, `${LABELS}.gz`].sort());
    const last = progress.filter((p) => p.file === `${IMAGES}.gz`).at(-1)!;
    expect(last.receivedBytes).toBe(last.totalBytes);

    // A second load finds the files and asks the server for nothing.
    requests.length = 0;
    await loadFashionMnist('test', { dir, baseUrl, checksums: checksumsOf(goodImages, goodLabels) });
    expect(requests).toEqual([]);
  });

  it('saves nothing when the download does not match the md5', async () => {
    serve(goodImages, goodLabels);
    const dir = await tempDir();
    const sums = {
      ...checksumsOf(goodImages, goodLabels),
      [IMAGES]: { gzMd5: '0'.repeat(32), idxSha256: '0'.repeat(64) },
    };
    await expect(loadFashionMnist('test', { dir, baseUrl, checksums: sums, onProgress: () => {} })).rejects.toThrow(
      new RegExp(`downloaded .*${IMAGES}\\.gz has md5 [0-9a-f]{32}, the official file has 0{32}; nothing was saved`),
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it('names the URL when the server answers 404', async () => {
    const dir = await tempDir();
    const load = loadFashionMnist('test', { dir, baseUrl, checksums: false, onProgress: () => {} });
    await expect(load).rejects.toBeInstanceOf(DatasetError);
    await expect(load).rejects.toThrow(`could not download ${baseUrl}${IMAGES}.gz: HTTP 404`);
  });

  it('names the URL when nothing listens', async () => {
    const dir = await tempDir();
    // A port that was just free: nothing listens there now.
    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((ok) => closed.close(() => ok()));
    await expect(
      loadFashionMnist('test', { dir, baseUrl: `http://127.0.0.1:${port}/`, checksums: false, onProgress: () => {} }),
    ).rejects.toThrow(
      new RegExp(`could not download http://127\\.0\\.0\\.1:${port}/t10k-images-idx3-ubyte\\.gz: .*ECONNREFUSED`),
    );
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('the real Fashion-MNIST test set', () => {
  it(`loads from ${SYSTEM_FASHION_MNIST_DIR} and passes the official checksums`, async () => {
    const data = await loadFashionMnist('test', { dir: SYSTEM_FASHION_MNIST_DIR, download: false });
    expect(data.count).toBe(10_000);
    expect(data.images.length).toBe(10_000 * 784);
    // The first labels of t10k-labels (Ankle boot, Pullover, Trouser, Trouser, Shirt) and the last one (Sandal).
    expect(Array.from(data.labels.subarray(0, 5))).toEqual([9, 2, 1, 1, 6]);
    expect(data.labels[9999]).toBe(5);
    const perClass = new Array(10).fill(0);
    for (const l of data.labels) perClass[l]++;
    expect(perClass).toEqual(new Array(10).fill(1000));
    expect(Object.keys(FASHION_MNIST_CHECKSUMS)).toHaveLength(4);
  });
});
