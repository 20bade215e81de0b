import { ms, table, times } from '../report/format.ts';
import { prose } from '../text/prose.ts';
import { SIGNIFICANCE, hasRegression, type Comparison, type RowComparison, type RowKey } from './compare.ts';

const scenarioOf = (k: RowKey) => (k.scenario === 'single-stream' ? 'single-stream' : `offline, batch ${k.batch}`);

function pValue(p: number | null): string {
  if (p === null) return '—';
  return p < 1e-4 ? '< 0.0001' : p.toFixed(4);
}

const VERDICT_MARK: Record<RowComparison['verdict'], string> = {
  slower: '**slower**',
  faster: '**faster**',
  'within noise': 'within noise',
  'no samples': 'no samples',
};

/** What was compared, and the verdict in a sentence: the rows slower with significance, if any. */
function verdictLines(c: Comparison): string[] {
  const slower = c.rows.filter((r) => r.verdict === 'slower');
  const faster = c.rows.filter((r) => r.verdict === 'faster');
  const slowRows = slower.map((r) => `${r.label} @${r.size} px ${scenarioOf(r)}`).join('; ');
  return [
    `# nin-bench compare`,
    '',
    `- base: \`${c.base.file}\` (${c.base.createdAt}, ${c.base.format})`,
    `- new: \`${c.new.file}\` (${c.new.createdAt}, ${c.new.format})`,
    '',
    hasRegression(c)
      ? `**${slower.length} row(s) slower** than the base by more than ${c.thresholdPercent}% with significance: ${slowRows}.`
      : `No row is slower than the base by more than ${c.thresholdPercent}% with significance.`,
    ...(faster.length ? [`${faster.length} row(s) faster.`] : []),
    '',
  ];
}

/** Whether the two files come from the same machine, and what differs between them. */
function machineLines(c: Comparison): string[] {
  return [
    '## Machines and versions',
    '',
    c.sameMachine
      ? 'Both files come from the same hardware (CPU model, cores, memory, architecture).'
      : '**The files come from different machines**: their times differ for that reason too; a ratio here compares machines, not code.',
    '',
    c.differences.length
      ? table(
          ['differs', 'base', 'new'],
          c.differences.map((d) => [d.what, d.base, d.new]),
          ['l', 'l', 'l'],
        )
      : 'Node, OS, kernel, package versions, weights and profile are the same.',
    '',
  ];
}

/** A row per timed row in both files: the medians, their ratio, its interval, the test and the verdict. */
function rowLines(c: Comparison): string[] {
  const rows =
    c.rows.length === 0
      ? 'The two files have no timed row in common.'
      : table(
          [
            'backend',
            'size',
            'scenario',
            'base p50 ms',
            'new p50 ms',
            'new / base',
            '95% CI',
            'p',
            'samples',
            'verdict',
          ],
          c.rows.map((r) => [
            r.label,
            String(r.size),
            scenarioOf(r),
            ms(r.baseMedianMs),
            ms(r.newMedianMs),
            times(r.ratio),
            r.interval ? `${r.interval.low.toFixed(3)}–${r.interval.high.toFixed(3)}` : '—',
            pValue(r.p),
            `${r.baseSamples} / ${r.newSamples}`,
            VERDICT_MARK[r.verdict],
          ]),
          ['l', 'r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
        );
  const withoutSamples =
    c.withoutSamples > 0
      ? [
          '',
          prose`${c.withoutSamples} row(s) say "no samples": a file made before results format 2 keeps only summaries, so
            those rows have the ratio of the medians and no interval, test or verdict.`,
        ]
      : [];
  return ['## Rows', '', rows, ...withoutSamples];
}

/** The rows only one of the files has, under `title` (none: no lines). */
function onlyInOneLines(title: string, keys: Comparison['onlyInBase']): string[] {
  if (!keys.length) return [];
  return ['', `## ${title}`, '', ...keys.map((k) => `- ${k.label} (\`${k.backend}\`) @${k.size} px, ${scenarioOf(k)}`)];
}

/** The comparison as Markdown: what was compared, whether the machines match, each row's verdict. */
export function renderComparison(c: Comparison): string {
  const lines = [
    ...verdictLines(c),
    ...machineLines(c),
    ...rowLines(c),
    ...onlyInOneLines('Only in the base', c.onlyInBase),
    ...onlyInOneLines('Only in the new file', c.onlyInNew),
    '',
    '## How to read it',
    '',
    prose`The ratio is median(new) / median(base) of the time per call: above 1 the new run is slower. The 95% interval
      is a percentile bootstrap of that ratio (2000 resamples of each file's samples, seeded), p the two-sided
      Mann-Whitney U test of the two sets of samples. A row is **slower** when the whole interval lies above
      1 + ${c.thresholdPercent}% and p < ${SIGNIFICANCE}, **faster** when it lies below 1 − ${c.thresholdPercent}%
      and p < ${SIGNIFICANCE}, and within noise otherwise. The command exits 1 when a row is slower.`,
  ];
  return `${lines.join('\n')}\n`;
}
