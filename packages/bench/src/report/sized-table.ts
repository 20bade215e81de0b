import type { BackendRun } from '../results/schema.ts';
import { table } from './format.ts';

/** One row of a table with a row per backend: what names it, its input size, then its figures. */
export interface SizedRow {
  readonly name: string;
  readonly size: number;
  readonly cells: readonly string[];
}

/** `run`'s row with `cells`, named by its label unless `name` says otherwise. */
export const sizedRow = (run: BackendRun, cells: readonly string[], name = run.label): SizedRow => ({
  name,
  size: run.size,
  cells,
});

export interface SizedTableOptions {
  /** the first column's heading (default "Backend") */
  readonly first?: string;
  /** the alignment of `columns` (right by default; the first column is left, Size right) */
  readonly align?: readonly ('l' | 'r')[];
}

/**
 * A markdown table with a row per backend: the first column names the row and, in a report of more than one input
 * size (`withSize`), a Size column follows it; then `columns`, the headings of each row's `cells`.
 */
export function sizedTable(
  withSize: boolean,
  columns: readonly string[],
  rows: readonly SizedRow[],
  { first = 'Backend', align }: SizedTableOptions = {},
): string {
  const size = <T>(cell: T): T[] => (withSize ? [cell] : []);
  return table(
    [first, ...size('Size'), ...columns],
    rows.map((r) => [r.name, ...size(String(r.size)), ...r.cells]),
    align && ['l', ...size('r' as const), ...align],
  );
}
