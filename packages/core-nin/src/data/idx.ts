/**
 * The IDX format of (Fashion-)MNIST (http://yann.lecun.com/exdb/mnist/): a big-endian magic `0x0000TTDD` (TT the
 * element type, DD the number of dimensions), DD big-endian uint32 sizes, then the elements. Every field is
 * checked: a bad file is an error that says what is wrong, never a silent mis-read.
 */

export class IdxFormatError extends Error {
  override readonly name = 'IdxFormatError';
}

export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

const UNSIGNED_BYTE = 0x08;

/** Parses an uncompressed IDX file of unsigned bytes with `expectedDims` dimensions. */
export function parseIdx(bytes: Uint8Array, expectedDims: number, source = 'IDX file'): IdxArray {
  if (bytes.byteLength < 4)
    throw new IdxFormatError(`${source}: ${bytes.byteLength} bytes is too short for an IDX header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const type = (magic >>> 8) & 0xff;
  const ndims = magic & 0xff;
  if (magic >>> 16 !== 0 || type !== UNSIGNED_BYTE || ndims !== expectedDims) {
    throw new IdxFormatError(
      `${source}: bad magic number 0x${magic.toString(16).padStart(8, '0')} ` +
        `(expected 0x000008${expectedDims.toString(16).padStart(2, '0')}: unsigned bytes, ${expectedDims} dimension(s))`,
    );
  }
  const headerBytes = 4 + 4 * ndims;
  if (bytes.byteLength < headerBytes)
    throw new IdxFormatError(`${source}: truncated header (${bytes.byteLength} of ${headerBytes} bytes)`);
  const dims = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.byteLength - headerBytes;
  if (actual !== count) {
    throw new IdxFormatError(
      `${source}: dimensions ${dims.join('x')} need ${count} bytes of data, the file has ${actual}`,
    );
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

export interface LabelledImages {
  /** n 28x28 images back to back, 8-bit gray */
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  readonly count: number;
}

/** What to call the two files in error messages: a data set name, or each file's own name (its path). */
export type IdxPairSources = string | { readonly images: string; readonly labels: string };

/** Pairs an images file (3 dims, 28x28) with a labels file (1 dim) and checks that they agree. */
export function parseIdxPair(
  imagesBytes: Uint8Array,
  labelsBytes: Uint8Array,
  sources: IdxPairSources = 'Fashion-MNIST',
  classes = 10,
): LabelledImages {
  const names = typeof sources === 'string' ? { images: `${sources} images`, labels: `${sources} labels` } : sources;
  const images = parseIdx(imagesBytes, 3, names.images);
  const labels = parseIdx(labelsBytes, 1, names.labels);
  const [n, h, w] = images.dims;
  if (h !== 28 || w !== 28) throw new IdxFormatError(`${names.images}: images are ${h}x${w}, expected 28x28`);
  if (labels.dims[0] !== n)
    throw new IdxFormatError(`${names.images} holds ${n} images but ${names.labels} holds ${labels.dims[0]} labels`);
  const bad = labels.data.findIndex((l) => l >= classes);
  if (bad >= 0)
    throw new IdxFormatError(
      `${names.labels}: label ${labels.data[bad]} at index ${bad} is not a class (0..${classes - 1})`,
    );
  return { images: images.data, labels: labels.data, count: n };
}
