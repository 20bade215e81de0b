/**
 * The timed calls' durations as stored in results.json: float32, little-endian, base64, sorted ascending (as
 * tinybench hands them over). Why this encoding: a run keeps ~10^5 samples (a fast engine makes 11,000 calls in
 * one 4 s loop); as JSON numbers, pretty-printed one per line, that is ~2 MB, while float32 base64 is 5.3 characters
 * a sample on one line (~0.5 MB). float32 keeps 7 significant digits, finer than the clock (`performance.now()`,
 * microseconds), so nothing a comparison needs is rounded away. Node and the browser both decode it.
 */
export type EncodedSamples = string;

const BYTES = 4;

export function encodeSamples(samplesMs: ArrayLike<number>): EncodedSamples {
  const bytes = new Uint8Array(samplesMs.length * BYTES);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < samplesMs.length; i++) view.setFloat32(i * BYTES, samplesMs[i], true);
  return Buffer.from(bytes).toString('base64');
}

/** Throws a RangeError for text that is not whole float32 values in base64. */
export function decodeSamples(encoded: EncodedSamples): Float64Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) throw new RangeError('samples are not base64');
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length % BYTES !== 0) throw new RangeError(`samples: ${bytes.length} bytes is not whole float32 values`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(bytes.length / BYTES);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * BYTES, true);
  return out;
}
