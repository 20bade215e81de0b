import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgeBuild } from './edge-weights.ts';
import { measuredKey, measuredWorkerCpu } from './measured-cpu.ts';

/** An edge row as the bench writes it (the fields read here). */
const row = (backend: string, size: number, engine: string, cpu: number | null, status = 'ok') => ({
  backend,
  size,
  status,
  facts: { details: { servedEngine: engine, servedWeights: `int8, ${size} px` } },
  extras: cpu === null ? [] : [{ name: 'Worker CPU per request', value: cpu, verdict: `fits: ${cpu} ms` }],
});

describe("the bench's measured Worker CPU per build", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'measured-cpu-'));
    await writeFile(
      join(dir, 'results.json'),
      JSON.stringify({
        createdAt: '2026-12-03T08:00:00.000Z',
        runs: [
          row('edge-224-tfjs', 224, 'tfjs', 56.7),
          row('edge-100-onnx-int8', 100, 'onnxruntime-int8', 7.9),
          row('edge-100-tfjs', 224, 'tfjs', null, 'unavailable'), // a row at another size than its build's
          row('tfjs-wasm-simd', 224, '', null),
        ],
      }),
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('maps each measured build to its figure, verdict, row and date; others and unusable rows are absent', () => {
    const m = measuredWorkerCpu(join(dir, 'results.json'));
    expect(m.get(measuredKey(edgeBuild(100, 'int8', 'onnxruntime-int8')))).toEqual({
      ms: 7.9,
      verdict: 'fits: 7.9 ms',
      measuredAt: '2026-12-03T08:00:00.000Z',
      row: 'edge-100-onnx-int8',
    });
    expect(m.get(measuredKey(edgeBuild(224, 'int8', 'tfjs')))?.ms).toBe(56.7);
    expect(m.get(measuredKey(edgeBuild(224, 'float32', 'tfjs')))).toBeUndefined(); // same size and engine, no row
    expect(m.get(measuredKey(edgeBuild(100, 'int8', 'tfjs')))).toBeUndefined();
    expect(m.size).toBe(2);
  });

  it('a missing or unreadable file is no figure, not a crash', async () => {
    expect(measuredWorkerCpu(join(dir, 'absent.json')).size).toBe(0);
    await writeFile(join(dir, 'bad.json'), '{ not json');
    expect(measuredWorkerCpu(join(dir, 'bad.json')).size).toBe(0);
  });
});
