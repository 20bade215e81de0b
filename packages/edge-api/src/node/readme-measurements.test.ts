import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LoadSummary } from './load-summary.ts';
import { loadTable } from './load-summary.ts';
import {
  EDGE_README,
  EDGE_RESULTS_DIR,
  MeasuredBlockError,
  readEdgeMeasurements,
  renderMeasuredBlocks,
  updateEdgeReadme,
} from './readme-measurements.ts';

/** A real `npm run edge:load -- --connections 4 --duration 2 --json` against `npm run edge:serve` (this machine). */
const LOAD_FIXTURE = new URL('./fixtures/edge-load-serve-4x2s.json', import.meta.url);
const realLoad = (): LoadSummary => JSON.parse(readFileSync(LOAD_FIXTURE, 'utf8'));

describe("the edge README's measured blocks", () => {
  const dir = mkdtempSync(join(tmpdir(), 'readme-measurements-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('re-renders only what lies between the markers, leaves figures blocks alone, and refuses an unknown block', () => {
    const sources = readEdgeMeasurements();
    const figures = '<!-- figures:edge -->\nthe bench 0.1\n<!-- /figures:edge -->';
    const text = `before 1.5 ms\n<!-- measured:photo-cpu -->\nold 9.99 ms\n<!-- /measured:photo-cpu -->\n${figures}\nafter 0.5\n`;
    const out = renderMeasuredBlocks(text, sources);
    expect(out.startsWith('before 1.5 ms\n<!-- measured:photo-cpu -->\n')).toBe(true);
    expect(out.endsWith(`\n<!-- /measured:photo-cpu -->\n${figures}\nafter 0.5\n`)).toBe(true);
    expect(out).not.toContain('old 9.99');
    // the figures from the committed JSON: the 2048 px row's CPU, and the verdict on the Free plan's 10 ms
    const row2048 = sources.photoCpu!.rows.find((r) => r.longSide === 2048)!;
    expect(out).toContain(
      `| 2048 px JPEG photo | 2048 x 2048 (4.19 MP) | ${row2048.bytes.toLocaleString('en-US')} | ${row2048.cpuMsPerRequest.toFixed(2)} |`,
    );
    expect(out).toMatch(/None of the photos stays within the Workers Free plan's 10 ms|Largest photo within/);
    expect(out).toContain(sources.photoCpu!.date.slice(0, 10));
    // rendering twice changes nothing
    expect(renderMeasuredBlocks(out, sources)).toBe(out);

    expect(() =>
      renderMeasuredBlocks('<!-- measured:photo-cpus -->\nx\n<!-- /measured:photo-cpus -->', sources),
    ).toThrow(MeasuredBlockError);
    expect(() =>
      renderMeasuredBlocks('<!-- measured:photo-cpus -->\nx\n<!-- /measured:photo-cpus -->', sources),
    ).toThrow(/unknown measured block "photo-cpus": known photo-accuracy, photo-cpu, load/);
  });

  it("refuses an Object method's name as a block", () => {
    expect(() =>
      renderMeasuredBlocks('<!-- measured:constructor -->\n<!-- /measured:constructor -->', readEdgeMeasurements()),
    ).toThrow(/unknown measured block "constructor"/);
  });

  it('says which photo fits the Free plan when one does, and which result file is missing', () => {
    const sources = readEdgeMeasurements();
    const cpu = sources.photoCpu!;
    const block = '<!-- measured:photo-cpu -->\n<!-- /measured:photo-cpu -->';
    // the same rows with the 512 px photo made cheap: it is the largest within 10 ms
    const rows = cpu.rows.map((r) => (r.longSide === 512 ? { ...r, cpuMsPerRequest: 9.5 } : r));
    expect(renderMeasuredBlocks(block, { ...sources, photoCpu: { ...cpu, rows } })).toContain(
      "Largest photo within the Workers Free plan's 10 ms of CPU per request: 512 x 512 (0.26 MP, 9.50 ms)",
    );
    expect(() => renderMeasuredBlocks(block, { ...sources, photoCpu: null })).toThrow(
      /results\/photo-cpu.json is missing: `npm run -w @nin-bench\/edge-api photo-cpu` writes it/,
    );
  });

  it('shows whichever load runs are committed, edge:serve before edge:dev, with every status and error', () => {
    const results = join(dir, 'results');
    mkdirSync(join(results, 'load'), { recursive: true });
    copyFileSync(new URL('../../results/photo-cpu.json', import.meta.url), join(results, 'photo-cpu.json'));
    const block = '<!-- measured:load -->\n<!-- /measured:load -->';
    expect(renderMeasuredBlocks(block, readEdgeMeasurements(results))).toContain('No load test committed yet');

    const serve = realLoad();
    // made by hand from the real run: wrangler dev's limiter answering 429s, one timeout
    const dev: LoadSummary = {
      ...serve,
      connections: 64,
      answered: 1000,
      status2xx: 900,
      otherStatuses: { '503': 3, '429': 97 },
      errors: 1,
      timeouts: 1,
    };
    writeFileSync(join(results, 'load', 'edge-dev-64.json'), JSON.stringify(dev));
    writeFileSync(join(results, 'load', 'edge-serve-16.json'), JSON.stringify(serve));
    const { load } = readEdgeMeasurements(results);
    expect(load.map((r) => r.name)).toEqual([
      '`edge:serve` (one plain workerd)',
      '`edge:dev` (wrangler dev, through its entry proxy)',
    ]);
    expect(readEdgeMeasurements(results).photoAccuracy).toBeNull();
    const out = renderMeasuredBlocks(block, readEdgeMeasurements(results));
    const lines = out.split('\n');
    expect(lines[1]).toMatch(
      /^\| server \| body \| connections \| duration \(s\) \| requests answered \| req\/s \| 2xx \|/,
    );
    expect(lines[3]).toBe(
      `| \`edge:serve\` (one plain workerd) | test-0000-ankle-boot.bin (784 bytes, application/octet-stream) | ` +
        `${serve.connections} | ${serve.elapsedS} | ${serve.answered} | ${serve.requestsPerSecond.toFixed(1)} | ` +
        `${serve.status2xx} | none | 0 | 0 | ${serve.latencyMs.p50} / ${serve.latencyMs.p99} / ${serve.latencyMs.max} |`,
    );
    expect(lines[4]).toContain('| 64 | 2.02 | 1,000 |');
    expect(lines[4]).toContain('| 900 | 429: 97, 503: 3 | 1 | 1 |');
    expect(out).toContain(
      `\`edge:serve\` with ${serve.connections} connections: ${serve.start.slice(0, 10)} ${serve.start.slice(11, 16)} UTC, ` +
        `load average ${serve.machine.loadAverage[0]!.toFixed(2)}`,
    );
    expect(loadTable([]).split('\n')).toHaveLength(2);

    writeFileSync(join(results, 'load', 'edge-serve-64.json'), '{"url": "x"}');
    expect(() => readEdgeMeasurements(results)).toThrow(
      /edge-serve-64.json is not an edge:load summary: it lacks connections/,
    );
  });

  it('rewrites a README in place and names the blocks that changed', async () => {
    const readme = join(dir, 'README.md');
    const stale =
      '# x\n<!-- measured:photo-accuracy -->\n<!-- /measured:photo-accuracy -->\n<!-- measured:load -->\n<!-- /measured:load -->\n';
    writeFileSync(readme, stale);
    expect(await updateEdgeReadme(readme, EDGE_RESULTS_DIR)).toEqual(['photo-accuracy', 'load']);
    const fresh = readFileSync(readme, 'utf8');
    expect(fresh).toContain('| white-png | png |');
    expect(await updateEdgeReadme(readme, EDGE_RESULTS_DIR)).toEqual([]);
    expect(readFileSync(readme, 'utf8')).toBe(fresh);
  });

  // The point of the blocks: a README figure that does not come from the committed JSON fails here.
  it('the committed README carries the figures the committed results give', () => {
    const text = readFileSync(EDGE_README, 'utf8');
    expect(renderMeasuredBlocks(text, readEdgeMeasurements()), 'run npm run -w @nin-bench/edge-api readme').toBe(text);
  });
});
