// What `npm run edge:load -- --json FILE` writes, and a Markdown table of several runs (the README's measured
// `load` block renders the committed ones under results/load/).
import { tableRow } from './markdown-table.ts';

/** What a run printed and wrote: the counts and figures a reader checks first. */
export interface LoadSummary {
  readonly url: string;
  readonly body: { readonly file: string; readonly bytes: number; readonly contentType: string };
  readonly connections: number;
  /** seconds asked for and seconds it ran */
  readonly durationS: number;
  readonly elapsedS: number;
  readonly timeoutS: number;
  readonly sent: number;
  readonly answered: number;
  readonly status2xx: number;
  /** every status other than 2xx, with its count */
  readonly otherStatuses: Record<string, number>;
  /** connection errors and timeouts (timeouts counted in errors as well) */
  readonly errors: number;
  readonly timeouts: number;
  /** the first message of each kind of error, with its count */
  readonly errorMessages: Record<string, number>;
  readonly requestsPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number };
  readonly start: string;
  readonly machine: { readonly cpuModel: string; readonly cpus: number; readonly loadAverage: readonly number[] };
  /** any error, timeout or 5xx */
  readonly failed: boolean;
}

/** One load test to show: what served it (the table's first column) and its summary. */
export interface NamedLoadRun {
  readonly name: string;
  readonly summary: LoadSummary;
}

const count = (n: number) => n.toLocaleString('en-US');

/** The statuses other than 2xx with their counts (`429: 12, 503: 1`), or `none`. */
function otherStatusesCell(statuses: Record<string, number>): string {
  const entries = Object.entries(statuses).sort(([a], [b]) => a.localeCompare(b));
  return entries.length ? entries.map(([status, n]) => `${status}: ${count(n)}`).join(', ') : 'none';
}

/** What was posted: the body file's name (not its path: the summary records where it ran), size and type. */
const bodyCell = (body: LoadSummary['body']) =>
  `${body.file.split(/[\\/]/).pop()} (${count(body.bytes)} bytes, ${body.contentType})`;

/**
 * The runs as a Markdown table, one row each in the order given: server, body, connections, duration, requests
 * answered, req/s, 2xx, other statuses, errors, timeouts, latency p50/p99/max.
 */
export function loadTable(runs: readonly NamedLoadRun[]): string {
  const lines = [
    '| server | body | connections | duration (s) | requests answered | req/s | 2xx | non-2xx by status | errors | timeouts | latency p50 / p99 / max (ms) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |',
  ];
  for (const { name, summary: s } of runs)
    lines.push(
      tableRow([
        name,
        bodyCell(s.body),
        s.connections,
        s.elapsedS,
        count(s.answered),
        s.requestsPerSecond.toFixed(1),
        count(s.status2xx),
        otherStatusesCell(s.otherStatuses),
        count(s.errors),
        count(s.timeouts),
        `${s.latencyMs.p50} / ${s.latencyMs.p99} / ${s.latencyMs.max}`,
      ]),
    );
  return lines.join('\n');
}
