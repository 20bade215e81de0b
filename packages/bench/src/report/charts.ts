import type { BackendRun, BenchResults } from '../results/schema.ts';

/** A Vega-Lite spec as plain JSON (rendered by the core's renderVegaLiteSvg). */
export type ChartSpec = Record<string, unknown>;

export interface Chart {
  /** file name beside report.md */
  readonly file: string;
  readonly title: string;
  readonly spec: ChartSpec;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

const measured = (runs: readonly BackendRun[], size: number) => runs.filter((r) => r.size === size && (r.status === 'ok' || r.status === 'partial'));

/** p50 dot and min–p99 line per backend, log scale (the engines span two orders of magnitude). */
export function latencyChart(results: BenchResults, size: number): Chart | null {
  const values = measured(results.runs, size)
    .filter((r) => r.singleStream)
    .map((r) => ({ backend: r.label, engine: r.engine, p50: r.singleStream!.p50, min: r.singleStream!.min, p99: r.singleStream!.p99, text: `${r.singleStream!.p50.toPrecision(3)} ms` }));
  if (values.length === 0) return null;
  const title = `Single-image latency, NiN at ${size} px`;
  const x = { type: 'quantitative', scale: { type: 'log' }, title: 'ms per image, log scale (dot: p50, line: min to p99)' };
  return {
    file: `bench-latency-${size}.svg`,
    title,
    spec: {
      $schema: SCHEMA,
      title,
      width: 480,
      height: { step: 26 },
      data: { values },
      encoding: { y: { field: 'backend', type: 'nominal', sort: { field: 'p50', order: 'ascending' }, title: null } },
      layer: [
        { mark: { type: 'rule', strokeWidth: 2 }, encoding: { x: { field: 'min', ...x }, x2: { field: 'p99' }, color: { field: 'engine', type: 'nominal', title: 'engine' } } },
        { mark: { type: 'point', filled: true, size: 70 }, encoding: { x: { field: 'p50', ...x }, color: { field: 'engine', type: 'nominal' } } },
        { mark: { type: 'text', align: 'left', dx: 8, dy: -9, fontSize: 10 }, encoding: { x: { field: 'p50', ...x }, text: { field: 'text' } } },
      ],
    },
  };
}

/** Images per second against batch size, one line per backend, both axes log scale. */
export function throughputChart(results: BenchResults, size: number): Chart | null {
  const values = measured(results.runs, size).flatMap((r) =>
    (r.offline ?? []).filter((o) => o.imagesPerSecond !== undefined).map((o) => ({ backend: r.label, batch: o.batch, imagesPerSecond: o.imagesPerSecond })),
  );
  if (values.length === 0) return null;
  const batches = [...new Set(values.map((v) => v.batch))].sort((a, b) => a - b);
  const title = `Offline throughput vs batch size, NiN at ${size} px`;
  return {
    file: `bench-throughput-${size}.svg`,
    title,
    spec: {
      $schema: SCHEMA,
      title,
      width: 480,
      height: 300,
      data: { values },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'batch', type: 'quantitative', scale: { type: 'log', base: 2 }, axis: { values: batches, format: 'd' }, title: 'batch size (log scale)' },
        y: { field: 'imagesPerSecond', type: 'quantitative', scale: { type: 'log' }, title: 'images/s, log scale' },
        color: { field: 'backend', type: 'nominal', title: 'backend' },
      },
    },
  };
}

export function chartsFor(results: BenchResults): Chart[] {
  return results.settings.sizes.flatMap((size) => [latencyChart(results, size), throughputChart(results, size)].filter((c): c is Chart => c !== null));
}
