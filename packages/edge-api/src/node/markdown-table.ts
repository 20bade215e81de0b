/** One row of a Markdown table: `| a | b | c |` (numbers as JavaScript writes them). */
export function tableRow(cells: readonly (string | number)[]): string {
  return `| ${cells.join(' | ')} |`;
}
