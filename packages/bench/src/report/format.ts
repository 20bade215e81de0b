/** Number formatting for the report: three significant figures, thousands separated, no false precision. */

export function sig(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return '—';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 10 ** digits) return Math.round(value).toLocaleString('en-US');
  return Number(value.toPrecision(digits)).toLocaleString('en-US', { maximumFractionDigits: 20 });
}

export const ms = (value: number): string => sig(value);

export function mib(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '—';
  return sig(bytes / 2 ** 20);
}

export function percent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** A ratio to the best, as "1.00×" / "12.3×". */
export function times(ratio: number): string {
  if (!Number.isFinite(ratio)) return '—';
  return `${ratio < 10 ? ratio.toFixed(2) : sig(ratio)}×`;
}

/** Scientific for tiny differences (1.2e-6), plain otherwise. */
export function small(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (value === 0) return '0';
  return Math.abs(value) < 1e-3 ? value.toExponential(1) : sig(value);
}

/** Markdown table from a header and rows; cells are escaped for pipes. */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align?: readonly ('l' | 'r')[],
): string {
  const esc = (c: string) => c.replaceAll('|', '\\|');
  const sep = header.map((_, i) => ((align?.[i] ?? (i === 0 ? 'l' : 'r')) === 'r' ? '---:' : ':---'));
  return [
    `| ${header.map(esc).join(' | ')} |`,
    `| ${sep.join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

/** A runner's own measurement (scenario `extras`) as it reported it: "12.3 ms", or its words. */
export const extraValue = (x: { readonly value: number | string; readonly unit?: string }): string =>
  typeof x.value === 'number' ? `${sig(x.value)}${x.unit ? ` ${x.unit}` : ''}` : x.value;
