import { createHash } from 'node:crypto';
import { access, mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import cliProgress from 'cli-progress';
import { parseIdxPair, type LabelledImages } from '../data/idx.ts';
import { writeFileAtomic } from './atomic-write.ts';

/**
 * Fashion-MNIST from disk, or from Zalando's official mirror when no copy is found. Every file is verified
 * against the official content (sha256 of the decompressed IDX bytes, md5 of a downloaded .gz), so a result
 * computed here is computed on the real data set.
 */

/** The data set cannot be found, fetched or trusted; the message names the file or URL and the way out. */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
}

export type FashionMnistSplit = 'train' | 'test';

/** The official file names, without `.gz`. */
export const FASHION_MNIST_FILES: Readonly<
  Record<FashionMnistSplit, { readonly images: string; readonly labels: string }>
> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};

export interface FileChecksum {
  /** md5 of the .gz as served by the official mirror (Zalando's README lists these) */
  readonly gzMd5: string;
  /** sha256 of the decompressed IDX bytes: the same whoever compressed the file (Debian strips the gzip name field) */
  readonly idxSha256: string;
}

/**
 * md5s from https://github.com/zalandoresearch/fashion-mnist#get-the-data (also torchvision's). The sha256s of
 * the decompressed files were computed from Debian's dataset-fashion-mnist and match those published by
 * independent projects that download the official files; Debian's .gz differ from the official ones only in the
 * gzip header (no original-name field: each is shorter by exactly the name's length + 1).
 */
export const FASHION_MNIST_CHECKSUMS: Readonly<Record<string, FileChecksum>> = {
  'train-images-idx3-ubyte': {
    gzMd5: '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
    idxSha256: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
  },
  'train-labels-idx1-ubyte': {
    gzMd5: '25c81989df183df01b3e8a0aad5dffbe',
    idxSha256: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
  },
  't10k-images-idx3-ubyte': {
    gzMd5: 'bef4ecab320f06d8554ea6380940ec79',
    idxSha256: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
  },
  't10k-labels-idx1-ubyte': {
    gzMd5: 'bb300cfdad3c16e7a12a480ee83cd310',
    idxSha256: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
  },
};

export const FASHION_MNIST_URL = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/';
/** Where Debian's dataset-fashion-mnist package installs the files. */
export const SYSTEM_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export interface DownloadProgress {
  readonly file: string;
  readonly receivedBytes: number;
  /** from Content-Length; undefined when the server does not say */
  readonly totalBytes: number | undefined;
}

export interface LoadFashionMnistOptions {
  /** Look only here (and download here); default: $FASHION_MNIST_DIR, ./data/fashion-mnist, then the Debian path */
  readonly dir?: string;
  /** Fetch the official files when no copy is found (default true) */
  readonly download?: boolean;
  /** Called as a download proceeds; without it a progress bar is drawn on stderr */
  readonly onProgress?: (progress: DownloadProgress) => void;
  /** Mirror to download from (tests point it at a local server) */
  readonly baseUrl?: string;
  /** Expected checksums by file name, or false to skip verification (fixtures) */
  readonly checksums?: Readonly<Record<string, FileChecksum>> | false;
}

/** The directories searched, in order, when no `dir` is given. */
export function fashionMnistSearchDirs(): string[] {
  const dirs = [resolve('data/fashion-mnist'), SYSTEM_FASHION_MNIST_DIR];
  const env = process.env.FASHION_MNIST_DIR;
  return env ? [resolve(env), ...dirs] : dirs;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** The file for `name` in `dir`, compressed or not, or null. */
async function findFile(dir: string, name: string): Promise<string | null> {
  for (const candidate of [join(dir, `${name}.gz`), join(dir, name)]) if (await exists(candidate)) return candidate;
  return null;
}

const gunzipAsync = promisify(gunzip);

async function readIdxFile(
  path: string,
  name: string,
  checksums: LoadFashionMnistOptions['checksums'],
): Promise<Uint8Array> {
  let bytes: Uint8Array = await readFile(path);
  // Decide by content, not by name: a .gz that was already decompressed (or the reverse) still loads.
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = await gunzipAsync(bytes);
    } catch (e) {
      throw new DatasetError(
        `${path}: corrupt gzip data (${(e as Error).message}); delete the file so that it is downloaded again`,
      );
    }
  }
  const expected = checksums === false ? undefined : (checksums ?? FASHION_MNIST_CHECKSUMS)[name];
  if (expected) {
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== expected.idxSha256) {
      throw new DatasetError(
        `${path}: decompressed content has sha256 ${actual}, the official ${name} has ${expected.idxSha256}; delete the file so that it is downloaded again`,
      );
    }
  }
  // A plain Uint8Array, not a Buffer: Buffer#slice is a view, which would surprise callers that copy with slice().
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

async function download(
  url: string,
  dest: string,
  expectedMd5: string | undefined,
  onProgress: LoadFashionMnistOptions['onProgress'],
): Promise<void> {
  const file = url.slice(url.lastIndexOf('/') + 1);
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(15 * 60_000) });
  } catch (e) {
    const cause = (e as { cause?: Error }).cause?.message ?? (e as Error).message;
    throw new DatasetError(`could not download ${url}: ${cause}`);
  }
  if (!response.ok || !response.body)
    throw new DatasetError(`could not download ${url}: HTTP ${response.status} ${response.statusText}`);
  const length = Number(response.headers.get('content-length'));
  const totalBytes = Number.isFinite(length) && length > 0 ? length : undefined;
  const bar = onProgress
    ? null
    : new cliProgress.SingleBar(
        { format: `${file} [{bar}] {percentage}% {value}/{total} bytes`, stream: process.stderr },
        cliProgress.Presets.shades_classic,
      );
  bar?.start(totalBytes ?? 0, 0);
  const chunks: Uint8Array[] = [];
  let received = 0;
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      chunks.push(chunk);
      received += chunk.byteLength;
      if (bar) {
        if (!totalBytes) bar.setTotal(received);
        bar.update(received);
      } else onProgress?.({ file, receivedBytes: received, totalBytes });
    }
  } catch (e) {
    throw new DatasetError(`download of ${url} broke off after ${received} bytes: ${(e as Error).message}`);
  } finally {
    bar?.stop();
  }
  const bytes = Buffer.concat(chunks);
  if (totalBytes !== undefined && bytes.byteLength !== totalBytes) {
    throw new DatasetError(`download of ${url} is incomplete: ${bytes.byteLength} of ${totalBytes} bytes`);
  }
  if (expectedMd5) {
    const md5 = createHash('md5').update(bytes).digest('hex');
    if (md5 !== expectedMd5)
      throw new DatasetError(
        `downloaded ${url} has md5 ${md5}, the official file has ${expectedMd5}; nothing was saved`,
      );
  }
  // atomic, so an interrupted run never leaves half a file
  await writeFileAtomic(dest, bytes);
}

/**
 * Loads a Fashion-MNIST split as 28x28 8-bit images and labels. Looks in `options.dir` when given, otherwise in
 * $FASHION_MNIST_DIR, ./data/fashion-mnist and the Debian path; downloads the official files into
 * `options.dir` (or ./data/fashion-mnist) when none has them.
 */
export async function loadFashionMnist(
  split: FashionMnistSplit,
  options: LoadFashionMnistOptions = {},
): Promise<LabelledImages> {
  const names = FASHION_MNIST_FILES[split];
  if (!names) throw new DatasetError(`unknown Fashion-MNIST split "${split}" (train or test)`);
  const dirs = options.dir !== undefined ? [resolve(options.dir)] : fashionMnistSearchDirs();
  let found: { images: string; labels: string } | null = null;
  for (const dir of dirs) {
    const images = await findFile(dir, names.images);
    const labels = await findFile(dir, names.labels);
    if (images && labels) {
      found = { images, labels };
      break;
    }
  }
  if (!found) {
    const target = options.dir !== undefined ? resolve(options.dir) : resolve('data/fashion-mnist');
    if (options.download === false) {
      throw new DatasetError(
        `Fashion-MNIST ${split} files (${names.images}[.gz], ${names.labels}[.gz]) not found in ${dirs.join(', ')}; ` +
          `set FASHION_MNIST_DIR, install Debian's dataset-fashion-mnist, or allow the download into ${target}`,
      );
    }
    await mkdir(target, { recursive: true });
    const base = options.baseUrl ?? FASHION_MNIST_URL;
    const sums = options.checksums === false ? {} : (options.checksums ?? FASHION_MNIST_CHECKSUMS);
    for (const name of [names.images, names.labels]) {
      if (await findFile(target, name)) continue;
      await download(
        new URL(`${name}.gz`, base).href,
        join(target, `${name}.gz`),
        sums[name]?.gzMd5,
        options.onProgress,
      );
    }
    found = { images: (await findFile(target, names.images))!, labels: (await findFile(target, names.labels))! };
  }
  const [images, labels] = await Promise.all([
    readIdxFile(found.images, names.images, options.checksums),
    readIdxFile(found.labels, names.labels, options.checksums),
  ]);
  return parseIdxPair(images, labels, found);
}
