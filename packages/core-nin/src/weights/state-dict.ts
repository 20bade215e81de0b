import { NIN_TENSORS, parameterCount, sizeOf, assertInputSize } from '../model/architecture.ts';
import { FASHION_MNIST_CLASSES } from '../data/classes.ts';
import { WeightsError } from './errors.ts';
import { fromHalf, toHalf } from './float16.ts';
import {
  MANIFEST_FORMAT,
  MANIFEST_KEY,
  parseManifest,
  sha256Hex,
  type ManifestDescription,
  type NinManifest,
  type WeightStorage,
} from './manifest.ts';
import { parseSafetensors, serializeSafetensors, type RawTensor, type TensorToWrite } from './safetensors.ts';

/** One tensor in PyTorch layout (OIHW weights, [O] biases), float32. */
export interface StateTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}
/** A NiN `state_dict`, keyed by PyTorch names, in PyTorch's order. */
export type StateDict = ReadonlyMap<string, StateTensor>;

/** Suffix of the per-output-channel scale tensor that accompanies each int8 weight. */
export const INT8_SCALE_SUFFIX = '_scale';

function littleEndianBytes(array: Float32Array | Uint16Array | Int8Array): Uint8Array {
  // Every platform we run on (x86, ARM, wasm) is little-endian, as safetensors is.
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** Copies when unaligned: a typed-array view must start at a multiple of its element size. */
function float32View(bytes: Uint8Array): Float32Array {
  if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  return new Float32Array(bytes.slice().buffer);
}

function encodeTensor(name: string, t: StateTensor, storage: WeightStorage): TensorToWrite[] {
  if (storage === 'float32') return [{ name, dtype: 'F32', shape: t.shape, bytes: littleEndianBytes(t.data) }];
  if (storage === 'float16' || t.shape.length === 1) {
    // int8 files keep biases in float16: they are 0.2% of the parameters and quantising them buys nothing.
    const half = Uint16Array.from(t.data, toHalf);
    return [{ name, dtype: 'F16', shape: t.shape, bytes: littleEndianBytes(half) }];
  }
  // Symmetric int8 per output channel: w ~= q * scale[o], scale = max|w[o]| / 127.
  const outChannels = t.shape[0];
  const perChannel = t.data.length / outChannels;
  const q = new Int8Array(t.data.length);
  const scales = new Float32Array(outChannels);
  for (let o = 0; o < outChannels; o++) {
    let max = 0;
    for (let i = o * perChannel; i < (o + 1) * perChannel; i++) max = Math.max(max, Math.abs(t.data[i]));
    const scale = max > 0 ? max / 127 : 1;
    scales[o] = scale;
    for (let i = o * perChannel; i < (o + 1) * perChannel; i++) q[i] = Math.round(t.data[i] / scale);
  }
  return [
    { name, dtype: 'I8', shape: t.shape, bytes: littleEndianBytes(q) },
    { name: name + INT8_SCALE_SUFFIX, dtype: 'F32', shape: [outChannels], bytes: littleEndianBytes(scales) },
  ];
}

function decodeTensor(name: string, raw: RawTensor, scale: RawTensor | undefined): Float32Array {
  switch (raw.dtype) {
    case 'F32':
      return float32View(raw.bytes).slice();
    case 'F16': {
      const out = new Float32Array(raw.bytes.byteLength / 2);
      const view = new DataView(raw.bytes.buffer, raw.bytes.byteOffset, raw.bytes.byteLength);
      for (let i = 0; i < out.length; i++) out[i] = fromHalf(view.getUint16(i * 2, true));
      return out;
    }
    case 'I8': {
      if (!scale) throw new WeightsError(`tensor "${name}" is int8 but "${name}${INT8_SCALE_SUFFIX}" is missing`);
      if (scale.dtype !== 'F32' || scale.shape.length !== 1 || scale.shape[0] !== raw.shape[0]) {
        throw new WeightsError(
          `tensor "${name}${INT8_SCALE_SUFFIX}" must be F32[${raw.shape[0]}], got ${scale.dtype}${JSON.stringify(scale.shape)}`,
        );
      }
      const s = float32View(scale.bytes);
      const q = new Int8Array(raw.bytes.buffer, raw.bytes.byteOffset, raw.bytes.byteLength);
      const perChannel = q.length / raw.shape[0];
      const out = new Float32Array(q.length);
      for (let i = 0; i < q.length; i++) out[i] = q[i] * s[Math.floor(i / perChannel)];
      return out;
    }
    default:
      throw new WeightsError(`tensor "${name}": dtype ${raw.dtype} is not supported (F32, F16 or I8 with a scale)`);
  }
}

/** Serialises a NiN state_dict to safetensors with its manifest; `storage` picks float32, float16 or int8. */
export async function encodeNinWeights(
  stateDict: StateDict,
  storage: WeightStorage,
  description: ManifestDescription,
): Promise<Uint8Array> {
  assertInputSize(description.inputSize);
  checkStateDict(stateDict);
  const tensors = NIN_TENSORS.flatMap((spec) => encodeTensor(spec.name, stateDict.get(spec.name)!, storage));
  // The hash covers the data section, which is the tensors' bytes concatenated in header order.
  const data = serializeSafetensors(tensors).subarray(0);
  const parsed = parseSafetensors(data);
  // The description goes first so that a caller's stray field cannot overwrite what the tensors themselves say.
  const manifest: NinManifest = {
    ...description,
    format: MANIFEST_FORMAT,
    model: 'd2l-nin',
    storage,
    parameterCount: parameterCount(),
    classes: FASHION_MNIST_CLASSES,
    tensorsSha256: await sha256Hex(parsed.data),
  };
  return serializeSafetensors(tensors, { [MANIFEST_KEY]: JSON.stringify(manifest), format: 'pt' });
}

export interface LoadedWeights {
  readonly stateDict: StateDict;
  /** null for a file without our manifest (for example one written by PyTorch's safetensors) */
  readonly manifest: NinManifest | null;
}

/**
 * Reads a NiN safetensors file: checks every tensor's name, shape and dtype, verifies the manifest's sha256
 * when there is one, and dequantises float16/int8 to float32.
 */
export async function decodeNinWeights(bytes: Uint8Array): Promise<LoadedWeights> {
  const file = parseSafetensors(bytes);
  let manifest: NinManifest | null = null;
  const manifestJson = file.metadata[MANIFEST_KEY];
  if (manifestJson !== undefined) {
    manifest = parseManifest(manifestJson);
    const actual = await sha256Hex(file.data);
    if (actual !== manifest.tensorsSha256) {
      throw new WeightsError(
        `corrupted weights: tensor bytes hash to sha256 ${actual}, the manifest says ${manifest.tensorsSha256}`,
      );
    }
  }
  const expected = new Set<string>();
  const stateDict = new Map<string, StateTensor>();
  for (const spec of NIN_TENSORS) {
    expected.add(spec.name);
    const raw = file.tensors.get(spec.name);
    if (!raw) throw new WeightsError(`tensor "${spec.name}" is missing from the weights file`);
    if (JSON.stringify(raw.shape) !== JSON.stringify(spec.shape)) {
      throw new WeightsError(
        `tensor "${spec.name}" has shape ${JSON.stringify(raw.shape)}, NiN needs ${JSON.stringify(spec.shape)}`,
      );
    }
    if (manifest && !storageAllows(manifest.storage, raw.dtype, spec.shape.length)) {
      throw new WeightsError(
        `tensor "${spec.name}" is ${raw.dtype} but the manifest says the file stores ${manifest.storage}`,
      );
    }
    // A scale only belongs to an int8 tensor; beside any other dtype it is an unexpected tensor.
    const scale = raw.dtype === 'I8' ? file.tensors.get(spec.name + INT8_SCALE_SUFFIX) : undefined;
    if (scale) expected.add(spec.name + INT8_SCALE_SUFFIX);
    const data = decodeTensor(spec.name, raw, scale);
    const bad = data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new WeightsError(`tensor "${spec.name}" holds a non-finite value at element ${bad}`);
    stateDict.set(spec.name, { shape: spec.shape, data });
  }
  const unexpected = [...file.tensors.keys()].filter((n) => !expected.has(n));
  if (unexpected.length > 0)
    throw new WeightsError(`unexpected tensor(s) in the weights file: ${unexpected.join(', ')}`);
  return { stateDict, manifest };
}

/**
 * The same weights file with its manifest's `accuracy` replaced (a measured evaluation of exactly these stored
 * weights): tensors and their bytes are kept as they are, so `tensorsSha256` stays valid. Refuses a file
 * without a manifest or whose tensors do not verify.
 */
export async function withManifestAccuracy(
  bytes: Uint8Array,
  accuracy: NonNullable<NinManifest['accuracy']>,
): Promise<Uint8Array> {
  const { manifest } = await decodeNinWeights(bytes);
  if (!manifest) throw new WeightsError('the weights file has no nin manifest to record an accuracy in');
  const file = parseSafetensors(bytes);
  const tensors = [...file.tensors].map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape, bytes: t.bytes }));
  return serializeSafetensors(tensors, { ...file.metadata, [MANIFEST_KEY]: JSON.stringify({ ...manifest, accuracy }) });
}

/** The dtypes each storage writes: int8 files keep their biases (rank 1) in float16. */
function storageAllows(storage: WeightStorage, dtype: string, rank: number): boolean {
  if (storage === 'float32') return dtype === 'F32';
  if (storage === 'float16') return dtype === 'F16';
  return rank === 1 ? dtype === 'F16' : dtype === 'I8';
}

export function checkStateDict(stateDict: StateDict): void {
  for (const spec of NIN_TENSORS) {
    const t = stateDict.get(spec.name);
    if (!t) throw new WeightsError(`tensor "${spec.name}" is missing`);
    if (JSON.stringify(t.shape) !== JSON.stringify(spec.shape) || t.data.length !== sizeOf(spec.shape)) {
      throw new WeightsError(
        `tensor "${spec.name}" has shape ${JSON.stringify(t.shape)}, NiN needs ${JSON.stringify(spec.shape)}`,
      );
    }
  }
}

/** OIHW (PyTorch) -> HWIO (tfjs conv2d filter). */
export function oihwToHwio(data: Float32Array, shape: readonly number[]): Float32Array {
  return transposeFilter(data, shape, 'oihw->hwio');
}

/** HWIO (tfjs) -> OIHW (PyTorch); `shape` is the OIHW shape. */
export function hwioToOihw(data: Float32Array, shape: readonly number[]): Float32Array {
  return transposeFilter(data, shape, 'hwio->oihw');
}

/** One walk over an OIHW-shaped filter for both directions: the two index formulas are the two layouts. */
function transposeFilter(
  data: Float32Array,
  [o, i, h, w]: readonly number[],
  direction: 'oihw->hwio' | 'hwio->oihw',
): Float32Array {
  const out = new Float32Array(data.length);
  const toHwio = direction === 'oihw->hwio';
  for (let a = 0; a < o; a++)
    for (let b = 0; b < i; b++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const oihw = ((a * i + b) * h + y) * w + x;
          const hwio = ((y * w + x) * i + b) * o + a;
          if (toHwio) out[hwio] = data[oihw];
          else out[oihw] = data[hwio];
        }
  return out;
}
