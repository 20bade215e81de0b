import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RESULTS_FORMAT, type BenchResults } from '../results/schema.ts';
import { encodeSamples } from '../stats/samples.ts';
import type { LatencySummary } from '../stats/summary.ts';
import { chartsFor } from './charts.ts';
import { renderReport } from './report.ts';
import { readResults, writeReport } from './write.ts';

const FIXTURE = new URL('../../test/fixtures/results.json', import.meta.url);
const load = async (): Promise<BenchResults> => readResults(FIXTURE.pathname);

describe('report generator', () => {
  it('renders the fixed results file to the golden report (update with vitest -u after a deliberate change)', async () => {
    await expect(renderReport(await load())).toMatchFileSnapshot('../../test/fixtures/report.golden.md');
  });

  it('answers the two questions in the summary, with ratios to the fastest', async () => {
    const md = renderReport(await load());
    expect(md).toMatch(/\*\*Single images:\*\* use \*\*onnxruntime-node 1 thread\*\*/);
    expect(md).toMatch(/\*\*Batches:\*\* use \*\*onnxruntime-node 1 thread\*\*/);
    expect(md).toMatch(/Without a native addon \(browser, edge\): \*\*tfjs wasm SIMD\*\*/);
    expect(md).toContain('| 1.00× |');
  });

  it('says why each backend did not run, and marks skipped batches and partial rows', async () => {
    const md = renderReport(await load());
    expect(md).toContain('hard-codes WASM_HAS_MULTITHREAD_SUPPORT to false');
    expect(md).toContain('@tensorflow/tfjs-node not installed');
    expect(md).toMatch(/\| onnxruntime-web wasm 1 thread \| failed \| child process killed by SIGKILL/);
    expect(md).toMatch(/n\/a\[\^1\]/);
    expect(md).toMatch(/\[\^1\]: one call takes 61.2 s/);
    expect(md).toContain('onnxruntime-node 1 thread @71 px: agreement: fixture: simulated engine error');
  });

  it('compares each int8 row with its float32 row: speed-up, accuracy, and when int8 is the better choice', async () => {
    const results = await load();
    expect(renderReport(results)).not.toContain('int8'); // no int8 rows, no int8 text (the golden file pins the rest)
    const float = results.runs.find((r) => r.backend === 'onnxruntime-node-1t' && r.size === 67)!;
    const ss = float.singleStream!;
    // A made-up int8 row a quarter as slow as its float32 row, one image of the slice wrong.
    const int8 = {
      ...float,
      backend: 'onnxruntime-node-int8-1t',
      label: 'onnxruntime-node int8 1 thread',
      int8Of: 'onnxruntime-node-1t',
      singleStream: { ...ss, p50: ss.p50 / 4 },
      agreement: {
        ...float.agreement!,
        correct: 1,
        top1Accuracy: 1 / 8,
        top1MatchesReference: 7 / 8,
        maxAbsLogitDiff: 0.05,
      },
    };
    const info = {
      size: 67,
      source: 'w.int8.onnx (nin export-onnx --int8)',
      sha256: 'ab',
      calibration: 'max of each activation over 256 training images',
      testAccuracy: 0.8877,
      evaluatedOn: 'all 10000 test images',
      floatTestAccuracy: 0.8881,
      preparedMs: 5,
    };
    const withInt8 = { ...results, model: { ...results.model, int8: { '67': info } }, runs: [...results.runs, int8] };
    let md = renderReport(withInt8);
    expect(md).toMatch(
      new RegExp(
        '\\*\\*int8 or float32 \\(ONNX Runtime\\):\\*\\* the calibrated int8 model answers single images faster by 4\\.00× on' +
          ' onnxruntime-node 1 thread \\(float32 p50 \\/ int8 p50, same run\\); its accuracy: 88\\.77% against' +
          " float32's 88\\.81% on all 10,000 test images \\(0\\.04 points lower, .*\\)\\. \\*\\*int8 is the better" +
          ' choice\\*\\* wherever ONNX Runtime runs: within 0\\.3 points',
      ),
    );
    expect(md).toContain('## int8 against float32');
    expect(md).toMatch(
      new RegExp(
        `\\| onnxruntime-node int8 1 thread \\| 67 \\| ${ss.p50.toPrecision(3)} \\| ${(ss.p50 / 4).toPrecision(3)} \\| ` +
          `4\\.00× \\|.*\\| 0\\.0% \\| 12\\.5% \\| 87\\.50% \\|`,
      ),
    );
    expect(md).toContain(
      '- 67 px: w.int8.onnx (nin export-onnx --int8); calibrated on the max of each activation over 256' +
        ' training images; test accuracy 88.77% on all 10,000 images',
    );
    expect(md).toContain('- **int8 rows** run the calibrated int8 model of their format');

    // A LiteRT.js int8 pair (declared tflite-int8 in the registry) reads its own model's accuracy, not the ONNX one's.
    const litertFloat = { ...float, backend: 'litert-1t', label: 'LiteRT.js wasm 1 thread', engine: 'litert' };
    const litertInt8 = { ...int8, backend: 'litert-int8-1t', label: 'LiteRT.js wasm int8 1 thread', engine: 'litert' };
    const both = renderReport({
      ...withInt8,
      model: { ...withInt8.model, int8Tflite: { '67': { ...info, source: 'w.int8.tflite', testAccuracy: 0.8879 } } },
      runs: [...withInt8.runs, litertFloat, { ...litertInt8, int8Of: 'litert-1t' }],
    });
    expect(both).toContain('**int8 or float32 (ONNX Runtime):**');
    expect(both).toMatch(
      /\*\*int8 or float32 \(LiteRT\.js\):\*\*[^\n]*88\.79% against float32's 88\.81%[^\n]*nin eval --tflite --record/,
    );

    // Too lossy, or without a recorded accuracy: the verdict says so.
    md = renderReport({ ...withInt8, model: { ...withInt8.model, int8: { '67': { ...info, testAccuracy: 0.85 } } } });
    expect(md).toMatch(
      /3\.81 points lower.* int8 costs more than 0\.3 points here: the better choice only where latency matters more than that accuracy/,
    );
    md = renderReport({ ...withInt8, model: { ...withInt8.model, int8: { '67': { ...info, testAccuracy: null } } } });
    expect(md).toMatch(
      /its accuracy: 12\.5% against float32's 0\.0% on the 8-image agreement slice only \(its accuracy on all 10,000 test images is not recorded/,
    );
    // Slower in int8: float32 stays.
    md = renderReport({ ...withInt8, runs: [...results.runs, { ...int8, singleStream: { ...ss, p50: ss.p50 * 2 } }] });
    expect(md).toMatch(/faster by 0\.50× .*\*\*float32 stays the better choice here\*\*: int8 is no faster\./);
  });

  it('recommends only in-process engines and reports an HTTP endpoint beside them', async () => {
    const results = await load();
    // Pretend the fastest row were an endpoint reached over HTTP.
    const remote = {
      ...results,
      runs: results.runs.map((r) =>
        r.backend === 'onnxruntime-node-1t' ? { ...r, label: 'edge endpoint', remote: true } : r,
      ),
    };
    const md = renderReport(remote);
    expect(md).toMatch(/\*\*Single images:\*\* use \*\*tfjs wasm SIMD\*\*/);
    expect(md).toMatch(
      /\*\*Over HTTP:\*\* edge endpoint answers one image in p50 0\.857 ms \(0\.09× the fastest in-process engine\)/,
    );
    expect(md).toContain("edge endpoint (the HTTP client; the server's memory is not visible)");
    expect(md).toContain('- **HTTP rows**');
  });

  it("says that an edge row at another size than the bench's weights serves its own model", async () => {
    const results = await load();
    const at = (size: number) =>
      renderReport({
        ...results,
        runs: results.runs.map((r) =>
          r.backend === 'tfjs-wasm-simd' && r.size === size
            ? {
                ...r,
                label: 'edge endpoint 71 px',
                remote: true,
                facts: { ...r.facts!, details: { ...r.facts!.details, servedWeights: 'int8, 71 px' } },
              }
            : r,
        ),
      });
    expect(at(71)).toContain(
      'edge endpoint 71 px (int8, 71 px): an edge build serves the model bundled into it, trained for its' +
        " own input size, while the other rows at that size run the bench's 67 px weights.",
    );
    expect(at(67)).not.toContain('an edge build serves the model bundled into it'); // at the trained size: the same model
  });

  it("prints a runner's own measurements, and an endpoint's verdicts in the summary", async () => {
    const results = await load();
    expect(renderReport(results)).not.toContain('## Runner-specific measurements');
    const { serverCpuMeasurements, workerMemoryMeasurement } = await import('../runners/edge.ts');
    const extras = [
      ...serverCpuMeasurements({ workerMs: 44.46, totalMs: 47.1 }, 87),
      { name: 'throughput, 4 concurrent clients', value: 10.74, unit: 'requests/s', note: '43 single-image requests' },
    ];
    const withExtras = {
      ...results,
      runs: results.runs.map((r) =>
        r.backend === 'onnxruntime-node-1t' ? { ...r, label: 'edge endpoint', remote: true, extras } : r,
      ),
    };
    const md = renderReport(withExtras);
    expect(md).toMatch(
      new RegExp(
        '\\*\\*Over HTTP:\\*\\* edge endpoint answers .* Worker CPU per request: 44\\.5 ms, needs Workers Paid' +
          " \\(over the Free plan's 10 ms CPU per request\\): \\$1\\.19 per million requests on Workers Paid" +
          ' beyond its included usage, after the \\$5 monthly minimum \\(prices read 2026-12-02\\)\\.',
      ),
    );
    expect(md).toContain('## Runner-specific measurements');
    expect(md).toMatch(
      /\| edge endpoint \| 67 \| throughput, 4 concurrent clients \| 10\.7 requests\/s \| 43 single-image requests \|/,
    );
    expect(md).toMatch(
      /\| edge endpoint \| 71 \| Worker CPU per request \| 44\.5 ms \| needs Workers Paid .* over 87 sequential single-image requests/,
    );
    expect(md).toMatch(/\| edge endpoint \| 71 \| workerd CPU per request, Worker \+ local proxy \| 47\.1 ms \|/);
    expect(workerMemoryMeasurement(48 * 2 ** 20).verdict).toMatch(/^38% of the 128 MB a Workers isolate may use/);
    expect(workerMemoryMeasurement(352 * 2 ** 20).verdict).toMatch(/^over the 128 MB a Workers isolate may use/);
    expect(serverCpuMeasurements({ workerMs: 6.04, totalMs: 7 }, 100)[0].verdict).toMatch(
      /^fits the Free plan \(10 ms CPU per request/,
    );
    expect(serverCpuMeasurements({ workerMs: 40_000, totalMs: 40_001 }, 100)[0].verdict).toMatch(
      /needs Workers Paid with limits.cpu_ms raised/,
    );
    // A server whose Worker process cannot be told apart: only the total, no plan verdict from it.
    expect(serverCpuMeasurements({ workerMs: null, totalMs: 9 }, 100).map((m) => m.name)).toEqual([
      'workerd CPU per request, Worker + local proxy',
    ]);
  });

  it('names the rows that ran beside other work', async () => {
    const results = await load();
    const quiet = renderReport({ ...results, runs: results.runs.map((r) => ({ ...r, otherCores: 0.02 })) });
    expect(quiet).toContain('under 0.1 core on average during every in-process row');
    const busy = renderReport({
      ...results,
      runs: results.runs.map((r) => ({ ...r, otherCores: r.backend === 'tfjs-cpu' && r.size === 67 ? 0.83 : 0 })),
    });
    expect(busy).toContain('tfjs cpu @67 px: 0.83 cores (figures of those rows are slowed by contention)');
  });

  it('records the machine, versions, model hash and methodology', async () => {
    const results = await load();
    const md = renderReport(results);
    expect(md).toContain(results.model.sha256);
    expect(md).toContain(`onnxruntime-web ${results.versions['onnxruntime-web']}`);
    expect(md).toContain('Load average (1/5/15 min)');
    expect(md).toMatch(/## Methodology[\s\S]*tinybench[\s\S]*maxRSS[\s\S]*WebAssembly.Memory/);
  });

  it('draws a latency and a throughput chart per size with every measured backend', async () => {
    const results = await load();
    const charts = chartsFor(results);
    expect(charts.map((c) => c.file)).toEqual([
      'bench-latency-67.svg',
      'bench-throughput-67.svg',
      'bench-latency-71.svg',
      'bench-throughput-71.svg',
    ]);
    const latency = charts[0].spec as { data: { values: { backend: string; p50: number }[] } };
    expect(latency.data.values.map((v) => v.backend).sort()).toEqual([
      'onnxruntime-node 1 thread',
      'tfjs cpu',
      'tfjs wasm SIMD',
    ]);
    const tput71 = charts[3].spec as { data: { values: { backend: string; batch: number }[] } };
    // tfjs cpu's skipped batch 4 is left out of the line rather than drawn as zero
    expect(tput71.data.values.filter((v) => v.backend === 'tfjs cpu').map((v) => v.batch)).toEqual([1]);
  });

  it('writes report.md and SVG charts rendered by vega-lite', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nin-bench-report-'));
    try {
      await writeReport(await load(), dir);
      expect((await readdir(dir)).sort()).toEqual([
        'bench-latency-67.svg',
        'bench-latency-71.svg',
        'bench-throughput-67.svg',
        'bench-throughput-71.svg',
        'report.md',
      ]);
      const svg = await readFile(join(dir, 'bench-latency-67.svg'), 'utf8');
      expect(svg).toMatch(/^<svg/);
      expect(svg).toContain('tfjs wasm SIMD');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says which weights each size ran: a size with its own weights gets an accuracy, one without keeps the note', async () => {
    const old = await load();
    expect(renderReport(old)).toContain(
      '_The weights were trained at 67 px; at 71 px only speed and the agreement between engines mean something, not the accuracy._',
    );
    const own = {
      weightsFile: 'packages/core-nin/weights/nin-fmnist-71.safetensors',
      sha256: 'ab'.repeat(32),
      trainedInputSize: 71,
      manifestTestAccuracy: 0.871,
    };
    const main = {
      weightsFile: old.model.weightsFile,
      sha256: old.model.sha256,
      trainedInputSize: old.model.trainedInputSize,
      manifestTestAccuracy: old.model.manifestTestAccuracy,
    };
    const md = renderReport({ ...old, model: { ...old.model, weightsBySize: { '67': main, '71': own } } });
    expect(md).not.toContain('only speed and the agreement');
    expect(md).toContain(
      '_At 71 px every row ran the weights trained for 71 px (`packages/core-nin/weights/nin-fmnist-71.safe' +
        'tensors`, 87.1% on the test set per its manifest): top-1 is an accuracy at this size._',
    );
    expect(md).toContain(
      '- At 71 px: `packages/core-nin/weights/nin-fmnist-71.safetensors` (trained at 71 px, test accuracy 87.1% per its manifest), ' +
        `sha256 \`${'ab'.repeat(32)}\``,
    );
    // the fixture's 67 px weights record no accuracy
    expect(md).toContain('On all 10,000 test images the weights each size ran score 87.1% at 71 px (their manifests)');
    // the bench's own weights at every size: the same report as a file that does not say
    const same = renderReport({ ...old, model: { ...old.model, weightsBySize: { '67': main, '71': main } } });
    expect(same).toBe(renderReport(old));
  });

  it('--rounds: the median across rounds and the spread between them, beside the median round shown above', async () => {
    const old = await load();
    expect(renderReport(old)).not.toContain('## Between rounds');
    const results: BenchResults = {
      ...old,
      settings: { ...old.settings, rounds: { count: 3, seed: 1 } },
      runs: old.runs.map((r) =>
        r.backend === 'tfjs-wasm-simd' && r.size === 67
          ? {
              ...r,
              round: 3,
              rounds: [
                {
                  round: 1,
                  position: 2,
                  status: 'ok',
                  singleStreamP50: 10,
                  offline: [{ batch: 8, p50: 80, imagesPerSecond: 100 }],
                },
                {
                  round: 2,
                  position: 4,
                  status: 'ok',
                  singleStreamP50: 14,
                  offline: [{ batch: 8, p50: 64, imagesPerSecond: 125 }],
                },
                {
                  round: 3,
                  position: 1,
                  status: 'ok',
                  singleStreamP50: 12,
                  offline: [{ batch: 8, p50: 100, imagesPerSecond: 80 }],
                },
              ],
            }
          : r,
      ),
    };
    const md = renderReport(results);
    const section = md.slice(md.indexOf('## Between rounds'));
    expect(section).toContain('The whole plan ran 3 times (seed 1), each round in a new random order');
    // p50 median 12 of 10/14/12, spread (14 - 10) / 12 = 33%; best images/s median 100 of 100/125/80, spread 45%
    expect(section).toMatch(
      /\| tfjs wasm SIMD \| 67 \| 3 \| 12 \| 10–14 \| 33% \| 100 \| 80–125 \| 45% \| 3 \| 2, 4, 1 \|/,
    );
  });

  it('reads both formats: samples (format 2) add nothing to the report of a format 1 file', async () => {
    const old = await load();
    expect(old.format).toBe('nin-bench.results/1');
    const withSamples = (l: LatencySummary): LatencySummary => ({ ...l, samplesFloat32Base64: encodeSamples([l.p50]) });
    const current: BenchResults = {
      ...old,
      format: RESULTS_FORMAT,
      runs: old.runs.map((r) => ({
        ...r,
        ...(r.singleStream ? { singleStream: { ...r.singleStream, ...withSamples(r.singleStream) } } : {}),
        ...(r.offline
          ? { offline: r.offline.map((o) => (o.latency ? { ...o, latency: withSamples(o.latency) } : o)) }
          : {}),
      })),
    };
    const dir = await mkdtemp(join(tmpdir(), 'nin-bench-format-'));
    try {
      const path = join(dir, 'results.json');
      await writeFile(path, JSON.stringify(current));
      expect(renderReport(await readResults(path))).toBe(renderReport(old));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a file that is not nin-bench results', async () => {
    await expect(readResults(new URL('../../package.json', import.meta.url).pathname)).rejects.toThrow(
      /not a nin-bench results file/,
    );
    await expect(readResults('/nonexistent/results.json')).rejects.toThrow(/run `npm run bench` first/);
  });
});
