// What `npm run -w @nin-bench/edge-api photo-cpu` writes (results/photo-cpu.json) and how it reads as Markdown:
// shared by the script, which prints it, and the README's measured block, which renders it from the committed JSON.
import { tableRow } from './markdown-table.ts';

/** One row of the results: the picture, the Worker CPU per request, the timing parts' medians, the latency's. */
export interface PhotoCpuRow {
  readonly picture: string;
  /** null for the raw tile */
  readonly longSide: number | null;
  readonly width: number;
  readonly height: number;
  readonly megapixels: number;
  readonly contentType: string;
  readonly bytes: number;
  readonly requests: number;
  /** workerd's user + system CPU over the measured requests, divided by their number */
  readonly cpuMsPerRequest: number;
  /** medians of the Server-Timing parts (ms): decode, tile, preprocess, inference, total */
  readonly serverTimingMs: Record<string, number>;
  readonly latencyMsP50: number;
  /** the class the Worker answered, and how it read the picture (`photo` or `tile`) */
  readonly label: string;
  readonly fit: string;
}

/** The whole of results/photo-cpu.json. */
export interface PhotoCpuResults {
  readonly what: string;
  readonly date: string;
  readonly machine: {
    readonly cpuModel: string;
    readonly cpus: number;
    /** os.loadavg() (1, 5 and 15 minutes) before and after the run: other work on the machine */
    readonly loadAverageBefore: readonly number[];
    readonly loadAverageAfter: readonly number[];
  };
  readonly node: string;
  readonly workerd: string;
  readonly build: {
    readonly name: string;
    readonly inputSize: number;
    readonly precision: string;
    readonly engine: string;
    readonly wranglerEnv: string;
    readonly backend: unknown;
    readonly modelSha256: unknown;
  };
  readonly photo: {
    readonly generator: string;
    readonly variant: string;
    readonly aspect: number;
    readonly jpegQuality: number;
    readonly seed: number;
    readonly tile: string;
  };
  readonly requests: number;
  readonly warmup: number;
  readonly cpuResolutionMsPerRequest: number;
  readonly freePlanCpuMs: number;
  readonly rows: readonly PhotoCpuRow[];
  readonly largestWithinFreePlan: {
    readonly longSide: number | null;
    readonly megapixels: number;
    readonly cpuMsPerRequest: number;
  } | null;
}

const cell = (value: number | undefined, digits = 1) => (value === undefined ? '-' : value.toFixed(digits));

/** The rows as a Markdown table: picture, pixels, bytes, Worker CPU per request, the timing parts, latency p50. */
export function photoCpuTable(rows: readonly PhotoCpuRow[]): string {
  const lines = [
    '| picture | pixels | bytes | Worker CPU per request (ms) | decode (ms) | tile (ms) | inference (ms) | latency p50 (ms) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows)
    lines.push(
      tableRow([
        r.picture,
        `${r.width} x ${r.height} (${r.megapixels.toFixed(r.megapixels < 0.01 ? 4 : 2)} MP)`,
        r.bytes.toLocaleString('en-US'),
        r.cpuMsPerRequest.toFixed(2),
        cell(r.serverTimingMs.decode),
        cell(r.serverTimingMs.tile),
        cell(r.serverTimingMs.inference),
        r.latencyMsP50.toFixed(1),
      ]),
    );
  return lines.join('\n');
}

/** The largest photo (not the tile) whose CPU per request is within `limitMs`, or null when none is. */
export function largestPhotoWithin(rows: readonly PhotoCpuRow[], limitMs: number): PhotoCpuRow | null {
  const fits = rows.filter((r) => r.longSide !== null && r.cpuMsPerRequest <= limitMs);
  return fits.length ? fits.reduce((a, b) => (b.longSide! > a.longSide! ? b : a)) : null;
}

/** One sentence: the largest photo within the Free plan's CPU per request, or that none is, on the measuring CPU. */
export function freePlanVerdict(largest: PhotoCpuRow | null, freePlanCpuMs: number): string {
  return largest
    ? `Largest photo within the Workers Free plan's ${freePlanCpuMs} ms of CPU per request: ${largest.width} x ${largest.height} ` +
        `(${largest.megapixels.toFixed(2)} MP, ${largest.cpuMsPerRequest.toFixed(2)} ms), on this machine's CPU.`
    : `None of the photos stays within the Workers Free plan's ${freePlanCpuMs} ms of CPU per request on this machine's CPU.`;
}
