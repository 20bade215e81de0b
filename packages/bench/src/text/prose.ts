// Long report prose is written across source lines (no line over 160 characters) and read as one paragraph.

/**
 * A paragraph written across source lines: every line break in the literal text, with the indentation around it,
 * reads as one space (the values put in are kept as they are).
 */
export function prose(strings: TemplateStringsArray, ...values: readonly unknown[]): string {
  const flat = (s: string) => s.replace(/[ \t]*\n[ \t]*/g, ' ');
  return strings.reduce((out, s, i) => `${out}${flat(s)}${i < values.length ? String(values[i]) : ''}`, '').trim();
}
