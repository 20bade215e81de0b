import { describe, expect, it } from 'vitest';
import type { BackendRun } from '../results/schema.ts';
import { rowsWith } from './rows.ts';

const run = (label: string, size: number, ms?: number) =>
  ({ label, size, ...(ms === undefined ? {} : { figure: { ms } }) }) as unknown as BackendRun & {
    figure?: { ms: number };
  };

describe('rowsWith', () => {
  const runs = [run('a', 100, 3), run('b', 224, 2), run('c', 100), run('d', 100, 1), run('e', 224, 1)];
  const figure = (r: BackendRun) => (r as ReturnType<typeof run>).figure;

  it('keeps the rows with the figure, by size in the run order, then by the key ascending', () => {
    const rows = rowsWith(runs, [224, 100], figure, 'ms');
    expect(rows.map(([r, f]) => `${r.label}:${f.ms}`)).toEqual(['e:1', 'b:2', 'd:1', 'a:3']);
  });

  it('keeps the rows in their own order within a size without a key', () => {
    expect(rowsWith(runs, [100, 224], figure).map(([r]) => r.label)).toEqual(['a', 'd', 'b', 'e']);
  });
});
