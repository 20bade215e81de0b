import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderReport } from '../report.ts';
import { readResults } from '../write.ts';
import { REPORT_SECTIONS } from './index.ts';
import type { ReportSection } from './section.ts';

const FIXTURE = new URL('../../../test/fixtures/results.json', import.meta.url);
const REPORT_DIR = fileURLToPath(new URL('..', import.meta.url));

/** A section as README "How to add a report section" describes it: one module, one line in the list. */
const FASTEST_ENGINE: ReportSection = {
  name: 'fastest engine',
  summaryAt: ({ results }, size) => [
    `- **Fixture at ${size} px:** ${results.runs.filter((r) => r.size === size).length} rows.`,
  ],
  body: () => ['## Fixture section', '', 'Its own body.', ''],
  methodology: () => ['- **Fixture.** How it was measured.'],
};

describe('the report as a list of sections', () => {
  it('places a section added to the list: its summary bullet at each size, its body where listed, its methodology', async () => {
    const results = await readResults(FIXTURE.pathname);
    const at = REPORT_SECTIONS.findIndex((s) => s.name === 'memory');
    const sections = [...REPORT_SECTIONS.slice(0, at), FASTEST_ENGINE, ...REPORT_SECTIONS.slice(at)];
    const md = renderReport(results, undefined, {}, sections);
    const lines = md.split('\n');
    // after the sections' bullets listed before it, before the spread line and the table
    const bullet67 = lines.indexOf('- **Fixture at 67 px:** 6 rows.');
    expect(bullet67).toBeGreaterThan(lines.indexOf('### 67 px'));
    expect(lines[bullet67 + 1]).toMatch(/^- The spread is wide: the slowest/);
    expect(lines.indexOf('- **Fixture at 71 px:** 5 rows.')).toBeGreaterThan(lines.indexOf('### 71 px'));
    // its body sits between the sections around it
    const body = lines.indexOf('## Fixture section');
    expect(body).toBeGreaterThan(lines.indexOf('### Achieved GFLOP/s'));
    expect(lines[body + 2]).toBe('Its own body.');
    expect(lines[body + 4]).toBe('## Memory');
    // its methodology bullet follows the bullets of the sections before it, before Memory's
    const method = lines.indexOf('- **Fixture.** How it was measured.');
    expect(lines[method - 1]).toMatch(/^- \*\*GFLOP\/s\*\* = /);
    expect(lines[method + 1]).toMatch(/^- \*\*Memory\.\*\* /);
    // and without it, the report is the report
    expect(md.replace(/## Fixture section\n\nIts own body\.\n\n|.*Fixture.*\n/g, '')).toBe(renderReport(results));
  });

  it('renders nothing but what its sections give', async () => {
    const results = await readResults(FIXTURE.pathname);
    expect(renderReport(results, undefined, {}, [FASTEST_ENGINE])).toBe('## Fixture section\n\nIts own body.\n');
    expect(new Set(REPORT_SECTIONS.map((s) => s.name)).size).toBe(REPORT_SECTIONS.length);
  });

  it('keeps every report module under 400 lines and every line under 161 characters', async () => {
    const files = (await readdir(REPORT_DIR, { recursive: true })).filter((f) => f.endsWith('.ts'));
    expect(files).toContain(join('sections', 'index.ts'));
    for (const file of files) {
      const lines = (await readFile(join(REPORT_DIR, file), 'utf8')).split('\n');
      expect({ file, tooLong: lines.flatMap((l, i) => (l.length > 160 ? [i + 1] : [])) }).toEqual({
        file,
        tooLong: [],
      });
      if (!file.endsWith('.test.ts')) expect(lines.length, file).toBeLessThanOrEqual(400);
    }
  });
});
