import { WeightsError } from './errors.ts';

/**
 * The safetensors container (https://github.com/huggingface/safetensors): an 8-byte little-endian header length,
 * a JSON header `{name: {dtype, shape, data_offsets}, __metadata__: {string: string}}`, then the raw little-endian
 * tensor bytes. Pure bytes in and out, so it runs in Node, browsers and workerd alike.
 */

export const DTYPE_BYTES = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 } as const;
export type SafetensorsDtype = keyof typeof DTYPE_BYTES;

export interface RawTensor {
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** the tensor's bytes, little-endian, a view into the file */
  readonly bytes: Uint8Array;
}

export interface SafetensorsContents {
  /** tensors in file order */
  readonly tensors: ReadonlyMap<string, RawTensor>;
  readonly metadata: Readonly<Record<string, string>>;
  /** the whole data section (everything after the header) */
  readonly data: Uint8Array;
}

const MAX_HEADER_BYTES = 100 * 1024 * 1024;

function isDtype(d: unknown): d is SafetensorsDtype {
  return typeof d === 'string' && Object.hasOwn(DTYPE_BYTES, d);
}

export function parseSafetensors(bytes: Uint8Array): SafetensorsContents {
  if (bytes.byteLength < 8)
    throw new WeightsError(`not a safetensors file: ${bytes.byteLength} bytes, the 8-byte header length is missing`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(MAX_HEADER_BYTES))
    throw new WeightsError(`not a safetensors file: header length ${headerLength} at byte 0 is implausible`);
  const headerEnd = 8 + Number(headerLength);
  if (headerEnd > bytes.byteLength) {
    throw new WeightsError(
      `truncated safetensors file: the header needs bytes 8..${headerEnd} but the file has ${bytes.byteLength}`,
    );
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, headerEnd)));
  } catch (e) {
    throw new WeightsError(`corrupt safetensors header (bytes 8..${headerEnd}): ${(e as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw new WeightsError('corrupt safetensors header: not a JSON object');
  const data = bytes.subarray(headerEnd);
  const metadata: Record<string, string> = {};
  const entries: [string, RawTensor, number, number][] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null)
        throw new WeightsError('corrupt safetensors header: __metadata__ is not an object');
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v !== 'string')
          throw new WeightsError(`corrupt safetensors header: metadata "${k}" is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (!isDtype(e.dtype)) throw new WeightsError(`tensor "${name}": unknown dtype ${JSON.stringify(e.dtype)}`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new WeightsError(`tensor "${name}": bad shape ${JSON.stringify(e.shape)}`);
    }
    const offsets = e.data_offsets;
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
      offsets[0] > offsets[1]
    ) {
      throw new WeightsError(`tensor "${name}": bad data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const expected = (e.shape as number[]).reduce((a, b) => a * b, 1) * DTYPE_BYTES[e.dtype];
    if (end - begin !== expected) {
      throw new WeightsError(
        `tensor "${name}": ${e.dtype}${JSON.stringify(e.shape)} needs ${expected} bytes but data_offsets span ${end - begin}`,
      );
    }
    if (end > data.byteLength) {
      throw new WeightsError(
        `truncated safetensors file: tensor "${name}" needs bytes ${headerEnd + begin}..${headerEnd + end} but the file ends at byte ${bytes.byteLength}`,
      );
    }
    entries.push([name, { dtype: e.dtype, shape: e.shape as number[], bytes: data.subarray(begin, end) }, begin, end]);
  }
  // The format requires the tensors to tile the data section exactly: a gap or overlap means a corrupt header.
  entries.sort((a, b) => a[2] - b[2]);
  let cursor = 0;
  for (const [name, , begin, end] of entries) {
    if (begin !== cursor)
      throw new WeightsError(
        `corrupt safetensors header: tensor "${name}" starts at data byte ${begin}, expected ${cursor}`,
      );
    cursor = end;
  }
  if (cursor !== data.byteLength) {
    throw new WeightsError(
      `safetensors file has ${data.byteLength - cursor} unexplained bytes after the last tensor (file offset ${headerEnd + cursor})`,
    );
  }
  return { tensors: new Map(entries.map(([n, t]) => [n, t])), metadata, data };
}

export interface TensorToWrite {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly bytes: Uint8Array;
}

export function serializeSafetensors(
  tensors: readonly TensorToWrite[],
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    const expected = t.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype];
    if (t.bytes.byteLength !== expected)
      throw new WeightsError(`tensor "${t.name}": ${t.bytes.byteLength} bytes given, ${expected} expected`);
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.bytes.byteLength] };
    offset += t.bytes.byteLength;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  // Pad the header with spaces to a multiple of 8 bytes, as the reference writer does, so tensor data is aligned.
  const padded = Math.ceil(json.byteLength / 8) * 8;
  if (padded !== json.byteLength) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  let at = 8 + json.byteLength;
  for (const t of tensors) {
    out.set(t.bytes, at);
    at += t.bytes.byteLength;
  }
  return out;
}
