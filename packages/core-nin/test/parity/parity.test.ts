import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import {
  NinClassifier,
  decodeNinWeights,
  disposeParams,
  encodeNinWeights,
  paramsFromStateDict,
  stateDictFromParams,
  type StateDict,
} from '../../src/index.ts';
import { encodeNinOnnx } from '../../src/onnx/index.ts';
import { createNodeBackendRegistry } from '../../src/node/backends.ts';
import { maxAbsDiff, randomImages, signalPreservingStateDict, withTransposedKernel } from './fixtures.ts';

/**
 * Our TypeScript NiN against d2l's PyTorch NiN (torch_nin.py), with weights crossing in both directions through
 * safetensors files. Needs a Python with torch and numpy: /usr/bin/python3 on Debian with python3-torch (CI
 * installs it), or the interpreter named by NIN_PARITY_PYTHON. Without one the suite is skipped, saying why.
 */
const PYTHON = process.env.NIN_PARITY_PYTHON ?? '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./torch_nin.py', import.meta.url));
const TOLERANCE = 1e-4;
const BATCH = 2;
const SIZES = [224, 96] as const;
const BACKENDS = ['cpu', 'wasm:simd', 'wasm:plain'] as const;

function torchMissingReason(): string | null {
  const probe = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (probe.error) return `${PYTHON} cannot run (${probe.error.message})`;
  if (probe.status !== 0)
    return `${PYTHON} has no torch/numpy (${probe.stderr.trim().split('\n').pop()}); install python3-torch`;
  return null;
}
const missing = torchMissingReason();
if (missing) console.warn(`[parity] SKIPPED PyTorch parity: ${missing}`);

type Size = (typeof SIZES)[number];
type Direction = 'TS-written file loaded by PyTorch' | 'PyTorch-written file loaded by TS';

interface Side {
  /** the state_dict TS runs: the one it wrote to the shared file, or the one it decoded from PyTorch's file */
  stateDict: StateDict;
  /** PyTorch's logits per input size */
  torch: Record<Size, Float32Array>;
}

describe.skipIf(missing !== null)(`parity with d2l's PyTorch NiN${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let dir: string;
  const inputs = {} as Record<Size, Float32Array>;
  const sides = {} as Record<Direction, Side>;
  const measured: string[] = [];
  const registry = createNodeBackendRegistry();

  async function torch(args: string[]): Promise<{ torch: string; safetensors: string }> {
    const { stdout } = await promisify(execFile)(PYTHON, [SCRIPT, ...args], { maxBuffer: 1 << 20 });
    return JSON.parse(stdout) as { torch: string; safetensors: string };
  }
  const cases = (tag: string) =>
    SIZES.flatMap((s) => ['--case', `${s}:${join(dir, `input-${s}.f32`)}:${join(dir, `${tag}-logits-${s}.f32`)}`]);
  async function readLogits(tag: string): Promise<Record<Size, Float32Array>> {
    const out = {} as Record<Size, Float32Array>;
    for (const s of SIZES) {
      const b = await readFile(join(dir, `${tag}-logits-${s}.f32`));
      out[s] = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    }
    return out;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nin-parity-'));
    for (const [k, s] of SIZES.entries()) {
      inputs[s] = randomImages(100 + k, BATCH, s);
      await writeFile(join(dir, `input-${s}.f32`), inputs[s]);
    }

    // TS -> PyTorch: the path trained weights take: tfjs tensors (HWIO) -> state_dict (OIHW) -> our writer's
    // float32 file (with its manifest), which is what PyTorch's load_state_dict gets.
    await registry.activate('cpu');
    const original = signalPreservingStateDict(7);
    const params = paramsFromStateDict(original);
    const fromParams = await stateDictFromParams(params);
    disposeParams(params);
    const tsBytes = await encodeNinWeights(fromParams, 'float32', { inputSize: 224 });
    await writeFile(join(dir, 'ts.safetensors'), tsBytes);
    const fwd = await torch(['forward', '--weights', join(dir, 'ts.safetensors'), ...cases('ts')]);
    // TS runs the weights it had before writing: a layout bug on the way out must show, even one that TS's
    // own reader would undo.
    sides['TS-written file loaded by PyTorch'] = { stateDict: original, torch: await readLogits('ts') };

    // PyTorch -> TS: a state_dict PyTorch initialised and saved; TS reads it with its own loader.
    const init = await torch([
      'init',
      '--seed',
      '7',
      '--weights-out',
      join(dir, 'torch.safetensors'),
      ...cases('torch'),
    ]);
    const decoded = await decodeNinWeights(new Uint8Array(await readFile(join(dir, 'torch.safetensors'))));
    expect(decoded.manifest).toBeNull();
    sides['PyTorch-written file loaded by TS'] = { stateDict: decoded.stateDict, torch: await readLogits('torch') };
    measured.push(`torch ${fwd.torch}, safetensors via ${init.safetensors}`);
  });

  afterAll(async () => {
    if (measured.length)
      console.log(`[parity] max |logit difference| vs PyTorch (batch ${BATCH}):\n  ${measured.join('\n  ')}`);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('uses weights whose logits depend on the input (else a 1e-4 check would prove little)', () => {
    for (const side of Object.values(sides)) {
      for (const s of SIZES) {
        const logits = side.torch[s];
        expect(logits).toHaveLength(BATCH * 10);
        expect(maxAbsDiff(logits.subarray(0, 10), logits.subarray(10, 20))).toBeGreaterThan(1e-2);
      }
    }
  });

  for (const backend of BACKENDS) {
    it(`${backend}: our forward matches PyTorch within ${TOLERANCE} at ${SIZES.join(' and ')} px, both directions`, async () => {
      const info = await registry.activate(backend);
      const label = `${backend}${info.details.binary ? ` (${info.details.binary})` : ''}`;
      for (const [direction, side] of Object.entries(sides) as [Direction, Side][]) {
        for (const s of SIZES) {
          const clf = NinClassifier.fromStateDict(side.stateDict, s);
          const ours = await clf.logits(inputs[s], BATCH);
          clf.dispose();
          const diff = maxAbsDiff(ours, side.torch[s]);
          measured.push(`${label} ${String(s).padStart(3)} px  ${direction}: ${diff.toExponential(2)}`);
          expect(diff, `${backend}, ${s} px, ${direction}`).toBeLessThan(TOLERANCE);
        }
      }
    });
  }

  it(`our ONNX export of PyTorch's weights gives PyTorch's logits under onnxruntime-node within ${TOLERANCE}`, async () => {
    const side = sides['PyTorch-written file loaded by TS'];
    for (const s of SIZES) {
      const session = await ort.InferenceSession.create(encodeNinOnnx(side.stateDict, { inputSize: s }));
      const { logits } = await session.run({ input: new ort.Tensor('float32', inputs[s], [BATCH, 1, s, s]) });
      await session.release();
      const diff = maxAbsDiff(logits.data as Float32Array, side.torch[s]);
      measured.push(
        `onnxruntime-node ${ort.env.versions.common} ${String(s).padStart(3)} px  ONNX export of the PyTorch-written file: ${diff.toExponential(2)}`,
      );
      expect(diff, `onnxruntime, ${s} px`).toBeLessThan(TOLERANCE);
    }
  });

  it('fails on a layout bug: one kernel with H and W swapped moves the logits far past the tolerance', async () => {
    await registry.activate('cpu');
    const side = sides['PyTorch-written file loaded by TS'];
    const clf = NinClassifier.fromStateDict(withTransposedKernel(side.stateDict, '2.0.weight'), 96);
    const wrong = await clf.logits(inputs[96], BATCH);
    clf.dispose();
    expect(maxAbsDiff(wrong, side.torch[96])).toBeGreaterThan(100 * TOLERANCE);
  });
});
