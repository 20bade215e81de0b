import type { BackendRun, BenchResults, Int8ModelInfo } from '../../results/schema.ts';
import { ms, percent, sig, times } from '../format.ts';
import { bestOffline, measured } from '../rows.ts';
import { trainedForSize } from '../weights-at.ts';
import { catalogEntry } from '../../plan/catalog.ts';
import { sizedRow, sizedTable } from '../sized-table.ts';
import { prose, sectionLines, type ReportSection } from './section.ts';

/**
 * The int8 rows against their float32 rows (same engine, same threads, same run): the speed-up, what int8 costs
 * in accuracy, and when it is the better choice. Pure, like the rest of the report.
 */

/** Accuracy int8 may lose and still be "the better choice": the issue's bar for the calibrated model. */
const ACCEPTABLE_DROP_POINTS = 0.3;

interface Pair {
  readonly int8: BackendRun;
  readonly float: BackendRun | undefined;
}

/** The int8 model formats, the runtime that runs each and the commands that make and measure it. */
type Int8Format = 'onnx-int8' | 'tflite-int8';
const FORMAT: Record<Int8Format, { runtime: string; exporter: string; evaluator: string }> = {
  'onnx-int8': { runtime: 'ONNX Runtime', exporter: 'nin export-onnx --int8', evaluator: 'nin eval --onnx' },
  'tflite-int8': { runtime: 'LiteRT.js', exporter: 'nin export-tflite --int8', evaluator: 'nin eval --tflite' },
};

/** An int8 row's model format, as its registry entry declares it (rows from before the registry: ONNX). */
const formatOf = (run: BackendRun): Int8Format =>
  catalogEntry(run.backend)?.model === 'tflite-int8' ? 'tflite-int8' : 'onnx-int8';

const modelInfo = (results: BenchResults, format: Int8Format, size: number): Int8ModelInfo | undefined =>
  (format === 'tflite-int8' ? results.model.int8Tflite : results.model.int8)?.[String(size)];

function pairs(results: BenchResults, size: number): Pair[] {
  const runs = results.runs.filter((r) => r.size === size && measured(r));
  return runs.filter((r) => r.int8Of).map((int8) => ({ int8, float: runs.find((r) => r.backend === int8.int8Of) }));
}

export function hasInt8(results: BenchResults): boolean {
  return results.runs.some((r) => r.int8Of && measured(r));
}

const INTRO = prose`Each int8 row beside the float32 row of the same engine and threads, from the same run. The int8 models
  share one calibration (scales from training images): \`nin export-onnx --int8\` (int8 weights, symmetric, one scale
  per output channel; uint8 activations; int32 biases; QuantizeLinear/DequantizeLinear pairs that ONNX Runtime fuses
  into QLinearConv) and \`nin export-tflite --int8\` (the same scales in a fully integer graph, int8 activations,
  that LiteRT.js runs with XNNPACK's QS8 kernels). Speed-up = float32 p50 / int8 p50; throughput ratio = int8 / float32 best images/s. Its logits differ
  from tfjs cpu's by more than a float32 engine's (see Agreement): the top-1 columns say how much that matters.`;

const METHOD = prose`- **int8 rows** run the calibrated int8 model of their format (\`nin export-onnx --int8\` or \`nin
  export-tflite --int8\`) on the same engine and thread count as a float32 row, with the same input and timing: the
  committed model beside the weights when it was made from them at this size with the default calibration (its
  metadata carries the accuracy \`nin eval --onnx --record\` or \`nin eval --tflite --record\` measured on all 10,000
  test images), else one calibrated by the bench before the row (256 training images, the maximum of each activation;
  never test images). ONNX Runtime fuses its QuantizeLinear/DequantizeLinear pairs
  into QLinearConv (uint8 activations x int8 weights, int32 accumulation).`;

const points = (a: number, b: number) => `${(100 * (a - b)).toFixed(2)} points`;

/** "88.77% (int8) vs 88.81% (float32) on all 10,000 test images", or the slice's figures, and the drop in points. */
function accuracy(
  info: Int8ModelInfo | undefined,
  ps: Pair[],
  format: Int8Format,
): { text: string; drop: number | null; recorded: boolean } {
  if (info && info.testAccuracy !== null && info.floatTestAccuracy !== null) {
    const drop = info.floatTestAccuracy - info.testAccuracy;
    const [int8, float] = [info.testAccuracy, info.floatTestAccuracy];
    const than = drop > 0 ? `${points(float, int8)} lower` : drop < 0 ? `${points(int8, float)} higher` : 'the same';
    return {
      text: prose`${percent(info.testAccuracy, 2)} against float32's ${percent(info.floatTestAccuracy, 2)} on all 10,000
        test images (${than}, recorded in the int8 model by \`${FORMAT[format].evaluator} --record\`)`,
      drop: 100 * drop,
      recorded: true,
    };
  }
  const p = ps.find((x) => x.int8.agreement && x.float?.agreement);
  if (!p) return { text: 'not measured', drop: null, recorded: false };
  const a = p.int8.agreement!;
  const f = p.float!.agreement!;
  const drop = f.top1Accuracy - a.top1Accuracy;
  return {
    text: prose`${percent(a.top1Accuracy)} against float32's ${percent(f.top1Accuracy)} on the ${a.images}-image
      agreement slice only (its accuracy on all 10,000 test images is not recorded: \`${FORMAT[format].exporter}\`,
      then \`${FORMAT[format].evaluator} F --record\`)`,
    drop: 100 * drop,
    recorded: false,
  };
}

/** The summary's int8 line for one size: the speed-ups, the accuracy, and the verdict. */
export function int8SummaryLines(results: BenchResults, size: number): string[] {
  const formats = [...new Set(pairs(results, size).map((p) => formatOf(p.int8)))];
  return formats.flatMap((format) => {
    const line = int8SummaryLine(results, size, format);
    return line ? [line] : [];
  });
}

function int8SummaryLine(results: BenchResults, size: number, format: Int8Format): string | null {
  const all = pairs(results, size).filter((p) => formatOf(p.int8) === format);
  const ps = all.filter((p) => p.int8.singleStream && p.float?.singleStream);
  if (ps.length === 0) return null;
  const speedups = ps.map((p) => ({ label: p.float!.label, x: p.float!.singleStream!.p50 / p.int8.singleStream!.p50 }));
  const acc = accuracy(modelInfo(results, format, size), all, format);
  const runtime = FORMAT[format].runtime;
  const list = speedups.map((s) => `${times(s.x)} on ${s.label}`).join(', ');
  let line = prose`- **int8 or float32 (${runtime}):** the calibrated int8 model answers single images faster by ${list} (float32 p50 /
    int8 p50, same run); its accuracy: ${acc.text}.`;
  const slower = speedups.filter((s) => s.x <= 1);
  const trained = trainedForSize(results, size);
  const slowerList = slower.map((s) => s.label).join(', ');
  if (slower.length === speedups.length) line += ' **float32 stays the better choice here**: int8 is no faster.';
  else if (acc.drop === null || !trained)
    line += ` ${prose`int8 is the faster choice on ${runtime}${slower.length ? ` (not on ${slowerList})` : ''}; this run
      cannot say what it costs in accuracy at this size.`}`;
  else if (acc.drop <= ACCEPTABLE_DROP_POINTS) {
    line += ` ${prose`**int8 is the better choice** wherever ${runtime} runs${slower.length ? ` (except ${slowerList})` : ''}:
      within ${ACCEPTABLE_DROP_POINTS} points of float32${acc.recorded ? '' : ' on the slice'}; keep float32 only where
      every last hundredth of a point counts.`}`;
  } else
    line += ` ${prose`int8 costs more than ${ACCEPTABLE_DROP_POINTS} points here: the better choice only where latency
      matters more than that accuracy.`}`;
  return line;
}

/** The table's columns, beside the row's name and size: latency, throughput, accuracy. */
const LATENCY_COLUMNS = ['float32 p50 (ms)', 'int8 p50 (ms)', 'speed-up'];
const THROUGHPUT_COLUMNS = ['float32 best images/s', 'int8 best images/s', 'ratio'];
const ACCURACY_COLUMNS = ['float32 top-1', 'int8 top-1', 'int8 same top-1 as cpu'];
const COLUMNS = [...LATENCY_COLUMNS, ...THROUGHPUT_COLUMNS, ...ACCURACY_COLUMNS];

/** An int8 row's cells beside its float32 row's, in COLUMNS order ('—' where either did not measure it). */
function int8Cells({ int8, float }: Pair): string[] {
  const s8 = int8.singleStream;
  const sf = float?.singleStream;
  const o8 = bestOffline(int8);
  const of = float ? bestOffline(float) : undefined;
  const a8 = int8.agreement;
  const af = float?.agreement;
  return [
    sf ? ms(sf.p50) : '—',
    s8 ? ms(s8.p50) : '—',
    s8 && sf ? times(sf.p50 / s8.p50) : '—',
    of ? sig(of.imagesPerSecond!) : '—',
    o8 ? sig(o8.imagesPerSecond!) : '—',
    o8 && of ? times(o8.imagesPerSecond! / of.imagesPerSecond!) : '—',
    af ? percent(af.top1Accuracy) : '—',
    a8 ? percent(a8.top1Accuracy) : '—',
    a8?.top1MatchesReference != null ? percent(a8.top1MatchesReference, 2) : '—',
  ];
}

/** A line per int8 model the run measured: where it came from, its calibration and accuracy. */
function int8ModelLines(results: BenchResults, sizes: readonly number[]): string[] {
  return (['onnx-int8', 'tflite-int8'] as const)
    .flatMap((format) => sizes.map((size) => modelInfo(results, format, size)))
    .filter((m): m is Int8ModelInfo => m !== undefined)
    .map((m) => {
      const float = m.floatTestAccuracy !== null ? `; float32: ${percent(m.floatTestAccuracy, 2)}` : '';
      const on = m.evaluatedOn ?? 'recorded in its metadata';
      const acc =
        m.testAccuracy !== null
          ? `test accuracy ${percent(m.testAccuracy, 2)} on all 10,000 images (${on})${float}`
          : 'accuracy on the whole test set not recorded';
      return `- ${m.size} px: ${m.source}; calibrated on the ${m.calibration}; ${acc}; sha256 \`${m.sha256}\``;
    });
}

/** The table of the section "int8 against float32": one row per int8 row, beside its float32 row. */
function int8Table(results: BenchResults, sizes: readonly number[], withSize: boolean): string {
  const rows = sizes.flatMap((size) => pairs(results, size).map((pair) => sizedRow(pair.int8, int8Cells(pair))));
  const table = sizedTable(withSize, COLUMNS, rows, { first: 'int8 backend' });
  return [INTRO, '', table, '', 'The int8 models:', '', ...int8ModelLines(results, sizes)].join('\n');
}

/** int8 against float32: the summary's verdict, the side-by-side table, what the int8 rows run. */
export const int8: ReportSection = {
  name: 'int8 against float32',
  summaryAt: ({ results }, size) => {
    return int8SummaryLines(results, size);
  },
  body: ({ results, sizes, withSize }) =>
    hasInt8(results) ? sectionLines('int8 against float32', int8Table(results, sizes, withSize)) : [],
  methodology: ({ results }) => (hasInt8(results) ? [METHOD] : []),
};
