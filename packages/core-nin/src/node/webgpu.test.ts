import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { createNodeBackendRegistry } from './backends.ts';
import { initialNinWeights, ninForward } from '../model/nin.ts';
import { NIN_CONVS } from '../model/architecture.ts';
import { useWebgpuConvFilterGrad } from './webgpu-conv-filter-grad.ts';
import { clipByGlobalNorm } from '../training/step.ts';

const run = promisify(execFile);
const registry = createNodeBackendRegistry();
// Probed once: on a machine without a Vulkan driver (no Mesa 25 lavapipe, no GPU) the GPU tests are skipped with the reason.
const probe = await registry.probe('webgpu');
const noAdapter = probe.available ? '' : ` (skipped: ${probe.reason})`;

/** Deterministic, non-zero test data: a fixed LCG, so every backend sees the same bytes. */
function pattern(length: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32 - 0.5) * scale;
  });
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return Number.isNaN(d) ? Infinity : d;
}

async function logitsOn(backend: string, size: number, batch: number, input: Float32Array): Promise<Float32Array> {
  await registry.activate(backend);
  // He-uniform weights: with Xavier's, twelve conv+ReLU layers shrink the logits to ~1e-5 and 1e-4 would check nothing.
  const params = new Map(
    [...initialNinWeights(7)].map(([k, v]) => {
      const fanIn = v.shape.length === 4 ? v.shape[0]! * v.shape[1]! * v.shape[2]! : 1;
      const data = v.shape.length === 4 ? pattern(v.data.length, v.data.length, 2 * Math.sqrt(6 / fanIn)) : v.data;
      return [k, tf.tensor(data, v.shape)];
    }),
  );
  const x = tf.tensor4d(input, [batch, size, size, 1]);
  const logits = ninForward(params, x);
  const out = (await logits.data()) as Float32Array;
  tf.dispose([logits, x, ...params.values()]);
  return out;
}

describe('webgpu backend (Dawn)', () => {
  it('reports why it is unavailable when Vulkan has no driver', async () => {
    // A child process, so this process keeps its adapter: the Vulkan loader is pointed at a driver file that does not exist.
    const script = `const { createNodeBackendRegistry } = await import(${JSON.stringify(fileURLToPath(new URL('./backends.ts', import.meta.url)))});
      console.log(JSON.stringify(await createNodeBackendRegistry().probe('webgpu')));`;
    const missing = '/nonexistent/vulkan-icd.json';
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, VK_ICD_FILENAMES: missing, VK_DRIVER_FILES: missing },
    });
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { available: boolean; reason?: string };
    expect(result.available).toBe(false);
    expect(result.reason).toMatch(/no WebGPU adapter/);
  });

  it.skipIf(!probe.available)(`names the adapter and says whether it is a software one${noAdapter}`, () => {
    if (!probe.available) return;
    const { details } = probe.info;
    expect(probe.info.tfjsBackend).toBe('webgpu');
    expect(typeof details.adapter).toBe('string');
    expect(details.adapter).not.toBe('unknown');
    expect(details.software).toBe(/llvmpipe|lavapipe|swiftshader/i.test(String(details.adapter)));
    console.log(`webgpu adapter: ${details.adapter} (software: ${details.software})`);
  });

  it.skipIf(!probe.available)(`gives the same NiN logits as cpu within 1e-4${noAdapter}`, async () => {
    const size = 67;
    const batch = 2;
    const input = pattern(batch * size * size, 3).map((v) => v + 0.5);
    const cpu = await logitsOn('cpu', size, batch, input);
    const webgpu = await logitsOn('webgpu', size, batch, input);
    expect(maxAbsDiff(webgpu, cpu)).toBeLessThan(1e-4);
    // Logits of a useful size, distinct per image: a backend that ignored its input (or zeroed it) would not pass.
    expect(Math.max(...cpu.map(Math.abs))).toBeGreaterThan(1e-2);
    expect(maxAbsDiff(cpu.subarray(0, 10), cpu.subarray(10, 20))).toBeGreaterThan(1e-3);
  });

  it.skipIf(!probe.available)(
    `clips by the global norm of NiN's 24 gradients, more tensors than one shader may bind${noAdapter}`,
    async () => {
      await registry.activate('webgpu');
      const values = NIN_CONVS.flatMap(
        (c, i) =>
          [
            [`${c.name}.weight`, pattern(50, 2 * i + 1)],
            [`${c.name}.bias`, pattern(7, 2 * i + 2)],
          ] as const,
      );
      const l2 = (arrays: Float32Array[]) =>
        Math.sqrt(arrays.reduce((a, v) => a + v.reduce((s, x) => s + x * x, 0), 0));
      const expected = l2(values.map(([, v]) => v));
      const grads = new Map(values.map(([k, v]) => [k, tf.tensor1d(v) as tf.Tensor]));
      const norm = await clipByGlobalNorm(grads, 1);
      expect(grads.size).toBe(24);
      expect(Math.abs(norm - expected) / expected).toBeLessThan(1e-6);
      expect(l2(await Promise.all([...grads.values()].map(async (g) => (await g.data()) as Float32Array)))).toBeCloseTo(
        1,
        5,
      );
      tf.dispose([...grads.values()]);
    },
  );

  it.skipIf(!probe.available)(
    `computes every NiN conv's weight gradient as a float64 reference does${noAdapter}`,
    async () => {
      // Every distinct conv geometry of NiN (11x11 stride 4, 5x5 pad 2, 3x3 pad 1, 1x1), on small inputs; the matmul
      // kernel once as tuned and once forced to one tap per patch buffer and a split of the batch into single images.
      const cases = [
        { conv: NIN_CONVS[0]!, size: 23 },
        { conv: NIN_CONVS[1]!, size: 5 },
        { conv: NIN_CONVS[3]!, size: 6 },
        { conv: NIN_CONVS[9]!, size: 4 },
      ];
      const variants = [
        { impl: 'matmul', tune: {} },
        { impl: 'matmul', tune: { maxPatchElements: 1, targetWorkgroups: 1e9 } },
        { impl: 'tfjs', tune: {} },
      ] as const;
      await registry.activate('webgpu');
      try {
        for (const { conv, size } of cases) {
          const batch = 4;
          const { kernel: k, stride: s, padding: p, inChannels: ci, outChannels: co } = conv;
          const out = Math.floor((size + 2 * p - k) / s) + 1;
          const xData = pattern(batch * size * size * ci, 11);
          const dyData = pattern(batch * out * out * co, 13);
          // dW[kh,kw,i,o] = sum over n, oh, ow of x[n, oh*s+kh-p, ow*s+kw-p, i] * dy[n, oh, ow, o], in float64.
          const reference = new Float64Array(k * k * ci * co);
          for (let n = 0; n < batch; n++)
            for (let oy = 0; oy < out; oy++)
              for (let ox = 0; ox < out; ox++)
                for (let kh = 0; kh < k; kh++)
                  for (let kw = 0; kw < k; kw++) {
                    const y = oy * s + kh - p;
                    const xx = ox * s + kw - p;
                    if (y < 0 || y >= size || xx < 0 || xx >= size) continue;
                    for (let i = 0; i < ci; i++) {
                      const xv = xData[((n * size + y) * size + xx) * ci + i]!;
                      const dyBase = ((n * out + oy) * out + ox) * co;
                      const wBase = ((kh * k + kw) * ci + i) * co;
                      for (let o = 0; o < co; o++) reference[wBase + o]! += xv * dyData[dyBase + o]!;
                    }
                  }
          const scale = reference.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
          const filterShape: [number, number, number, number] = [k, k, ci, co];
          const padding =
            p === 0
              ? 'valid'
              : ([
                  [0, 0],
                  [p, p],
                  [p, p],
                  [0, 0],
                ] as [[number, number], [number, number], [number, number], [number, number]]);
          for (const { impl, tune } of variants) {
            useWebgpuConvFilterGrad(impl, tune);
            const x = tf.tensor4d(xData, [batch, size, size, ci]);
            const dy = tf.tensor4d(dyData, [batch, out, out, co]);
            const w = tf.tensor4d(pattern(k * k * ci * co, 17), filterShape);
            const before = tf.memory().numTensors;
            // The path training takes: the gradient of conv2d with respect to its filter, dy as the upstream gradient.
            const dw = tf.grad((f) => tf.conv2d(x, f as tf.Tensor4D, s, padding))(w, dy);
            expect(dw.shape).toEqual(filterShape);
            const got = (await dw.data()) as Float32Array;
            dw.dispose();
            expect(tf.memory().numTensors, `${conv.name} by ${impl} leaks tensors`).toBe(before);
            tf.dispose([x, dy, w]);
            expect(maxAbsDiff(got, reference) / scale, `${conv.name} by ${impl} ${JSON.stringify(tune)}`).toBeLessThan(
              1e-5,
            );
          }
        }
      } finally {
        useWebgpuConvFilterGrad('matmul');
      }
    },
  );
});
