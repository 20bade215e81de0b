import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createNodeBackendRegistry } from '../node/backends.ts';
import { loadGradients } from '../node/train/backend.ts';
import {
  registerWasmTrainingKernels,
  setWasmFilterGradientStrategy,
  type FilterGradientStrategy,
} from './wasm-training-kernels.ts';

type Pad = 'valid' | 'same' | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  name: string;
  x: [number, number, number, number];
  k: number;
  co: number;
  stride: number;
  pad: Pad;
}

const explicit = (p: number): Pad => [
  [0, 0],
  [p, p],
  [p, p],
  [0, 0],
];
// Every convolution shape NiN has (scaled down), plus floor-mode and 'same' cases that leave input rows unused.
const CASES: Case[] = [
  { name: '11x11 stride 4 valid (first layer)', x: [2, 27, 27, 1], k: 11, co: 6, stride: 4, pad: 'valid' },
  { name: '1x1', x: [2, 5, 5, 6], k: 1, co: 7, stride: 1, pad: 'valid' },
  { name: '5x5 pad 2', x: [2, 6, 6, 5], k: 5, co: 4, stride: 1, pad: explicit(2) },
  { name: '3x3 pad 1', x: [3, 4, 4, 4], k: 3, co: 10, stride: 1, pad: explicit(1) },
  { name: '3x3 stride 2 floor mode', x: [2, 8, 8, 3], k: 3, co: 4, stride: 2, pad: 'valid' },
  { name: '3x3 same', x: [1, 5, 5, 2], k: 3, co: 3, stride: 1, pad: 'same' },
];

function values(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed) * 0.5);
}

async function convGrads(c: Case): Promise<{ dx: Float32Array; dw: Float32Array }> {
  const [, , , ci] = c.x;
  const x = tf.tensor4d(
    values(
      c.x.reduce((a, b) => a * b),
      1,
    ),
    c.x,
  );
  const w = tf.tensor4d(values(c.k * c.k * ci * c.co, 2), [c.k, c.k, ci, c.co]);
  // A loss that weights every output differently, so a transposed or shifted gradient cannot pass.
  const f = (a: tf.Tensor4D, b: tf.Tensor4D) => {
    const y = tf.conv2d(a, b, c.stride, c.pad);
    return tf.sum(tf.mul(y, tf.tensor(values(y.size, 3), y.shape)));
  };
  const [dx, dw] = tf.grads(f as (...args: tf.Tensor[]) => tf.Tensor)([x, w]);
  const out = { dx: (await dx.data()) as Float32Array, dw: (await dw.data()) as Float32Array };
  tf.dispose([x, w, dx, dw]);
  return out;
}

function maxRelativeError(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(a[i]));
  }
  return err / scale;
}

describe('wasm training kernels', () => {
  const registry = createNodeBackendRegistry();
  const reference = new Map<string, { dx: Float32Array; dw: Float32Array }>();

  beforeAll(async () => {
    await loadGradients();
    await registry.activate('cpu');
    for (const c of CASES) reference.set(c.name, await convGrads(c));
    await registry.activate('wasm:simd');
  });

  it('tfjs-backend-wasm lacks Conv2DBackpropFilter as shipped', () => {
    // If a tfjs upgrade brings it, registerWasmTrainingKernels leaves it alone and this test says so.
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
  });

  const STRATEGIES: FilterGradientStrategy[] = ['fast', 'conv3d'];
  it.each(CASES.flatMap((c) => STRATEGIES.map((strategy) => ({ ...c, strategy }))))(
    '$name ($strategy): filter and input gradients equal the cpu backend',
    async (c) => {
      registerWasmTrainingKernels();
      setWasmFilterGradientStrategy(c.strategy);
      const got = await convGrads(c).finally(() => setWasmFilterGradientStrategy('fast'));
      const want = reference.get(c.name)!;
      expect(maxRelativeError(want.dw, got.dw)).toBeLessThan(1e-5);
      expect(maxRelativeError(want.dx, got.dx)).toBeLessThan(1e-5);
    },
  );

  it('leaves no tensor behind', async () => {
    registerWasmTrainingKernels();
    await convGrads(CASES[0]);
    const before = tf.memory().numTensors;
    const bytes = (tf.memory() as { numBytesInWASM?: number }).numBytesInWASM;
    for (const c of CASES) await convGrads(c);
    expect(tf.memory().numTensors).toBe(before);
    expect((tf.memory() as { numBytesInWASM?: number }).numBytesInWASM).toBe(bytes);
  });
});
