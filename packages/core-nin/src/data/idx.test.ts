import { describe, expect, it } from 'vitest';
import { idxBytes, syntheticImages } from '../../test/fixtures/idx.ts';
import { IdxFormatError, parseIdx, parseIdxPair } from './idx.ts';

describe('parseIdx', () => {
  it('reads dimensions and data, also from a view into a larger buffer', () => {
    const file = idxBytes([2, 3], [1, 2, 3, 4, 5, 6]);
    const padded = new Uint8Array(file.length + 5);
    padded.set(file, 3);
    const view = padded.subarray(3, 3 + file.length);
    const idx = parseIdx(view, 2);
    expect(idx.dims).toEqual([2, 3]);
    expect(Array.from(idx.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it.each([
    [
      'a non-byte element type (0x0d float)',
      idxBytes([1], [0], 0x0d01),
      /bad magic number 0x00000d01 \(expected 0x00000801/,
    ],
    ['the wrong number of dimensions', idxBytes([1, 1], [0]), /bad magic number 0x00000802 \(expected 0x00000801/],
    ['non-zero leading magic bytes', idxBytes([1], [0], 0x01000801), /bad magic number 0x01000801/],
    ['too few bytes for the magic', new Uint8Array([0, 0]), /2 bytes is too short/],
    ['too much data', idxBytes([1], [0, 1]), /dimensions 1 need 1 bytes of data, the file has 2/],
  ])('rejects %s with a message naming the source', (_, bytes, message) => {
    expect(() => parseIdx(bytes, 1, 'labels.idx')).toThrow(IdxFormatError);
    expect(() => parseIdx(bytes, 1, 'labels.idx')).toThrow(new RegExp(`^labels\\.idx: ${message.source}`));
  });
});

describe('parseIdxPair', () => {
  it('pairs images with labels', () => {
    const pair = parseIdxPair(idxBytes([2, 28, 28], syntheticImages(2)), idxBytes([2], [3, 7]));
    expect(pair.count).toBe(2);
    expect(Array.from(pair.labels)).toEqual([3, 7]);
    expect(pair.images.length).toBe(2 * 784);
  });

  it('names the data set or the files in its errors', () => {
    const images = idxBytes([2, 28, 28], syntheticImages(2));
    expect(() => parseIdxPair(images, idxBytes([1], [3]))).toThrow(
      'Fashion-MNIST images holds 2 images but Fashion-MNIST labels holds 1 labels',
    );
    const named = { images: 'a.idx', labels: 'b.idx' };
    expect(() => parseIdxPair(images, idxBytes([2], [3, 10]), named)).toThrow(
      'b.idx: label 10 at index 1 is not a class (0..9)',
    );
  });
});
