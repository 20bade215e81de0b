import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError } from './unavailable.ts';

// Defined without tfjs, so that a process that only needs to say "unavailable" (an ONNX Runtime bench row, the
// edge runner) can import it from `@nin-bench/core-nin/errors` without loading tfjs.
export { BackendUnavailableError };

/**
 * The one place a backend is chosen. A provider knows how to bring one tfjs backend up on this platform and how
 * to describe it; everything else (model, training, bench, edge) receives the active backend and never imports
 * a backend package itself.
 */
export type BackendName = 'cpu' | 'wasm' | 'webgpu' | 'tensorflow';
export const BACKEND_NAMES: readonly BackendName[] = ['cpu', 'wasm', 'webgpu', 'tensorflow'];

export interface BackendInfo {
  readonly name: BackendName;
  /** e.g. `simd` or `plain` for wasm, `gpu` or `cpu` for tensorflow */
  readonly variant?: string;
  /** the tfjs backend now active (`tf.getBackend()`) */
  readonly tfjsBackend: string;
  /** what a reader needs to trust the figure: binary loaded, adapter, library version ... */
  readonly details: Readonly<Record<string, string | number | boolean>>;
}

export interface BackendProvider {
  readonly name: BackendName;
  /** variants in preference order; the first is the default; empty when the backend has none */
  readonly variants: readonly string[];
  /** Makes the backend active; throws {@link BackendUnavailableError} with a reason when it cannot. */
  activate(variant: string | undefined): Promise<BackendInfo>;
}

export interface BackendSpec {
  readonly name: BackendName;
  readonly variant?: string;
}

/** Parses `cpu`, `wasm`, `wasm:plain`, `wasm-simd`, `tensorflow:gpu` ... */
export function parseBackendSpec(text: string): BackendSpec {
  const [name, variant] = text.trim().toLowerCase().split(/[:-]/, 2) as [string, string | undefined];
  if (!BACKEND_NAMES.includes(name as BackendName)) {
    throw new RangeError(
      `unknown backend "${text}": choose one of ${BACKEND_NAMES.join(', ')} (variants as wasm:simd, wasm:plain)`,
    );
  }
  return variant ? { name: name as BackendName, variant } : { name: name as BackendName };
}

export function formatBackend(info: Pick<BackendInfo, 'name' | 'variant'>): string {
  return info.variant ? `${info.name}:${info.variant}` : info.name;
}

export class BackendRegistry {
  readonly #providers = new Map<BackendName, BackendProvider>();

  constructor(providers: readonly BackendProvider[] = []) {
    for (const p of providers) this.register(p);
  }

  register(provider: BackendProvider): this {
    this.#providers.set(provider.name, provider);
    return this;
  }

  get names(): BackendName[] {
    return [...this.#providers.keys()];
  }

  provider(name: BackendName): BackendProvider {
    const p = this.#providers.get(name);
    if (!p) throw new BackendUnavailableError(name, 'not offered on this platform');
    return p;
  }

  /** Every backend and variant this registry knows, as `name:variant` specs. */
  allSpecs(): BackendSpec[] {
    return [...this.#providers.values()].flatMap((p) =>
      p.variants.length === 0 ? [{ name: p.name }] : p.variants.map((variant) => ({ name: p.name, variant })),
    );
  }

  async activate(spec: BackendSpec | string): Promise<BackendInfo> {
    const s = typeof spec === 'string' ? parseBackendSpec(spec) : spec;
    const p = this.provider(s.name);
    const variant = s.variant ?? p.variants[0];
    if (variant !== undefined && !p.variants.includes(variant)) {
      const offered = p.variants.length ? `variants: ${p.variants.join(', ')}` : 'it has no variants';
      throw new RangeError(`backend ${s.name} has no variant "${variant}" (${offered})`);
    }
    const info = await p.activate(variant);
    await tf.ready();
    return info;
  }

  /** Whether a backend can be activated here, with the reason when not (activates it as a side effect). */
  async probe(
    spec: BackendSpec | string,
  ): Promise<{ available: true; info: BackendInfo } | { available: false; reason: string }> {
    try {
      return { available: true, info: await this.activate(spec) };
    } catch (e) {
      if (e instanceof BackendUnavailableError) return { available: false, reason: e.reason };
      return { available: false, reason: (e as Error).message };
    }
  }
}

/**
 * Re-registers a tfjs backend from its own factory so that the next `setBackend` initialises it afresh: the
 * wasm backend picks its binary (SIMD or plain) at initialisation, so switching variant means a new instance.
 */
export function resetTfjsBackend(name: string): void {
  const factory = tf.findBackendFactory(name);
  if (!factory) return;
  if (tf.findBackend(name)) {
    tf.removeBackend(name);
    tf.registerBackend(name, factory);
  }
}
