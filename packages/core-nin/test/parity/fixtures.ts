import { NIN_CONVS, seededRandom, type StateDict, type StateTensor } from '../../src/index.ts';

/**
 * A NiN state_dict (OIHW, PyTorch names) with He-uniform conv weights, U(-sqrt(6/fan_in), sqrt(6/fan_in)), and
 * PyTorch's default biases. Why not d2l's Xavier init (`initialNinWeights`)? Through twelve conv+ReLU layers it
 * loses the input: the logits of two different images agree to ~1e-5, so a 1e-4 parity check would pass even
 * with a transposed kernel. He scaling keeps the variance, and a wrong weight moves the logits by ~0.1.
 */
export function signalPreservingStateDict(seed: number): Map<string, StateTensor> {
  const random = seededRandom(seed);
  const uniform = (n: number, bound: number) => Float32Array.from({ length: n }, () => (random() * 2 - 1) * bound);
  const sd = new Map<string, StateTensor>();
  for (const c of NIN_CONVS) {
    const fanIn = c.inChannels * c.kernel * c.kernel;
    sd.set(`${c.name}.weight`, {
      shape: [c.outChannels, c.inChannels, c.kernel, c.kernel],
      data: uniform(fanIn * c.outChannels, Math.sqrt(6 / fanIn)),
    });
    sd.set(`${c.name}.bias`, { shape: [c.outChannels], data: uniform(c.outChannels, 1 / Math.sqrt(fanIn)) });
  }
  return sd;
}

/** `n` random images in [0,1], `[n, size, size]` row-major: NHWC with one channel, which is also NCHW. */
export function randomImages(seed: number, n: number, size: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: n * size * size }, random);
}

/** The same state_dict with one conv kernel's H and W swapped: a layout bug the parity checks must catch. */
export function withTransposedKernel(stateDict: StateDict, name: string): Map<string, StateTensor> {
  const t = stateDict.get(name)!;
  const [o, i, h, w] = t.shape;
  const data = new Float32Array(t.data.length);
  for (let a = 0; a < o * i; a++)
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[(a * w + x) * h + y] = t.data[(a * h + y) * w + x];
  return new Map(stateDict).set(name, { shape: t.shape, data });
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}
