import { FASHION_MNIST_CLASSES } from '../data/classes.ts';
import { MIN_INPUT_SIZE, parameterCount } from '../model/architecture.ts';
import { WeightsError } from './errors.ts';

export type WeightStorage = 'float32' | 'float16' | 'int8';
export const WEIGHT_STORAGES: readonly WeightStorage[] = ['float32', 'float16', 'int8'];

/**
 * What a weights file says about itself. It travels inside the safetensors `__metadata__` under
 * {@link MANIFEST_KEY} (metadata values must be strings, so it is a JSON string), which PyTorch ignores.
 */
export interface NinManifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly model: 'd2l-nin';
  readonly inputSize: number;
  readonly storage: WeightStorage;
  readonly parameterCount: number;
  readonly classes: readonly string[];
  /** sha256 (hex) of the safetensors data section, i.e. of every tensor's stored bytes */
  readonly tensorsSha256: string;
  /** optimiser, epochs, batch size, learning rate, seed, augmentation ... as used */
  readonly recipe?: Readonly<Record<string, unknown>>;
  readonly accuracy?: {
    readonly test?: number;
    readonly train?: number;
    readonly perClass?: readonly number[];
    readonly evaluatedOn?: string;
  };
  /** who made it, where, when, how long it took: free-form, recorded by the trainer */
  readonly provenance?: Readonly<Record<string, unknown>>;
}

export const MANIFEST_KEY = 'nin_manifest';
export const MANIFEST_FORMAT = 'nin-bench.weights/1';

/** The fields a caller describes; the writer fills in the rest from the tensors themselves. */
export type ManifestDescription = Omit<
  NinManifest,
  'format' | 'model' | 'storage' | 'parameterCount' | 'classes' | 'tensorsSha256'
>;

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export function parseManifest(json: string): NinManifest {
  let m: Partial<NinManifest>;
  try {
    m = JSON.parse(json) as Partial<NinManifest>;
  } catch (e) {
    throw new WeightsError(`corrupt manifest in safetensors metadata "${MANIFEST_KEY}": ${(e as Error).message}`);
  }
  if (m.format !== MANIFEST_FORMAT)
    throw new WeightsError(`unknown manifest format ${JSON.stringify(m.format)} (expected ${MANIFEST_FORMAT})`);
  if (m.model !== 'd2l-nin') throw new WeightsError(`manifest: model ${JSON.stringify(m.model)} is not d2l-nin`);
  if (!Number.isInteger(m.inputSize)) throw new WeightsError('manifest: inputSize is missing');
  if ((m.inputSize as number) < MIN_INPUT_SIZE)
    throw new WeightsError(`manifest: inputSize ${m.inputSize} is below NiN's minimum of ${MIN_INPUT_SIZE}`);
  if (m.parameterCount !== parameterCount())
    throw new WeightsError(`manifest: parameterCount ${m.parameterCount} differs from NiN's ${parameterCount()}`);
  if (!m.storage || !WEIGHT_STORAGES.includes(m.storage))
    throw new WeightsError(`manifest: unknown storage ${JSON.stringify(m.storage)}`);
  if (typeof m.tensorsSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(m.tensorsSha256))
    throw new WeightsError('manifest: tensorsSha256 is missing');
  if (JSON.stringify(m.classes) !== JSON.stringify(FASHION_MNIST_CLASSES))
    throw new WeightsError('manifest: class names differ from Fashion-MNIST');
  return m as NinManifest;
}
