import type { BackendRun, BenchResults } from '../results/schema.ts';
import { RUN_PLACES, runPlace, type RunPlace } from './declared.ts';
import { sig } from './format.ts';

/** A Vega-Lite spec as plain JSON (rendered by the core's renderVegaLiteSvg). */
export type ChartSpec = Record<string, unknown>;

export interface Chart {
  /** file name beside report.md */
  readonly file: string;
  readonly title: string;
  readonly spec: ChartSpec;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/** One colour per place a row ran, in RUN_PLACES order (Tableau 10: blue, orange, green, red). */
const PLACE_COLOURS = ['#4c78a8', '#f58518', '#54a24b', '#e45756'];

const measured = (runs: readonly BackendRun[], size: number) =>
  runs.filter((r) => r.size === size && (r.status === 'ok' || r.status === 'partial'));

/**
 * Rows grouped by where they ran (Node, browser, HTTP endpoint, Python): one panel each, in that order, with the
 * group's name above it; every panel shares the x scale, so positions compare across groups. Backend labels are
 * never cut (labelLimit 0): several differ only at the end ("... 1 thread", "... 2 threads").
 */
function groupedChart(file: string, title: string, values: readonly { place: RunPlace }[], layers: ChartSpec): Chart {
  const places = RUN_PLACES.filter((p) => values.some((v) => v.place === p));
  return {
    file,
    title,
    spec: {
      $schema: SCHEMA,
      title,
      data: { values },
      facet: {
        row: {
          field: 'place',
          type: 'nominal',
          sort: places,
          title: null,
          header: {
            labelAngle: 0,
            labelOrient: 'top',
            labelAnchor: 'start',
            labelFontWeight: 'bold',
            labelFontSize: 12,
            labelPadding: 4,
          },
        },
      },
      spacing: 10,
      resolve: { scale: { y: 'independent' } },
      spec: { width: 420, height: { step: 22 }, ...layers },
    },
  };
}

/** The row's label without "(browser)": its panel already says where it ran. */
const chartLabel = (r: BackendRun) => r.label.replace(/ \(browser\)$/, '');

/** A log-scale x channel (the engines span two orders of magnitude) titled `title`; its field is the caller's. */
const logX = (title: string) => ({ type: 'quantitative', scale: { type: 'log' }, title });

/** The y channel: a band per backend, ordered by `sort`, labels never cut. */
const backendY = (sort: ChartSpec) => ({
  field: 'backend',
  type: 'nominal',
  sort,
  axis: { title: null, labelLimit: 0, labelFontSize: 11 },
});

/** p50 dot and min–p99 line per backend, log scale (the engines span two orders of magnitude), grouped by where they ran. */
export function latencyChart(results: BenchResults, size: number): Chart | null {
  const values = measured(results.runs, size)
    .filter((r) => r.singleStream)
    .map((r) => ({
      backend: chartLabel(r),
      place: runPlace(r),
      p50: r.singleStream!.p50,
      min: r.singleStream!.min,
      p99: r.singleStream!.p99,
      text: `${sig(r.singleStream!.p50)} ms`,
    }));
  if (values.length === 0) return null;
  const title = `Single-image latency, NiN at ${size} px`;
  const x = logX('ms per image, log scale (dot: p50, line: min to p99)');
  const color = {
    field: 'place',
    type: 'nominal',
    scale: { domain: [...RUN_PLACES], range: PLACE_COLOURS },
    legend: null,
  };
  return groupedChart(`bench-latency-${size}.svg`, title, values, {
    encoding: { y: backendY({ field: 'p50', op: 'min', order: 'ascending' }) },
    layer: [
      { mark: { type: 'rule', strokeWidth: 2 }, encoding: { x: { field: 'min', ...x }, x2: { field: 'p99' }, color } },
      { mark: { type: 'point', filled: true, size: 70 }, encoding: { x: { field: 'p50', ...x }, color } },
      {
        mark: { type: 'text', align: 'left', dx: 8, dy: -8, fontSize: 10 },
        encoding: { x: { field: 'p50', ...x }, text: { field: 'text' } },
      },
    ],
  });
}

/**
 * Images per second per backend, one dot per batch size (its colour) joined by a line from the worst to the
 * best, log scale, grouped by where they ran: a line per backend against batch size was unreadable past a
 * dozen backends.
 */
export function throughputChart(results: BenchResults, size: number): Chart | null {
  const values = measured(results.runs, size).flatMap((r) =>
    (r.offline ?? [])
      .filter((o) => o.imagesPerSecond !== undefined)
      .map((o) => ({ backend: chartLabel(r), place: runPlace(r), batch: o.batch, imagesPerSecond: o.imagesPerSecond })),
  );
  if (values.length === 0) return null;
  const batches = [...new Set(values.map((v) => v.batch))].sort((a, b) => a - b);
  const title = `Offline throughput vs batch size, NiN at ${size} px`;
  const x = { field: 'imagesPerSecond', ...logX('images/s, log scale (more is better)') };
  const y = backendY({ field: 'imagesPerSecond', op: 'max', order: 'descending' });
  return groupedChart(`bench-throughput-${size}.svg`, title, values, {
    layer: [
      {
        mark: { type: 'rule', color: '#bbbbbb' },
        encoding: { y, x: { aggregate: 'min', ...x }, x2: { aggregate: 'max', field: 'imagesPerSecond' } },
      },
      {
        mark: { type: 'point', filled: true, size: 70, opacity: 0.85 },
        encoding: {
          y,
          x,
          color: { field: 'batch', type: 'ordinal', sort: batches, scale: { scheme: 'viridis' }, title: 'batch size' },
        },
      },
    ],
  });
}

export function chartsFor(results: BenchResults): Chart[] {
  return results.settings.sizes.flatMap((size) =>
    [latencyChart(results, size), throughputChart(results, size)].filter((c): c is Chart => c !== null),
  );
}
