import { describe, expect, it } from 'vitest';
import { tableRow } from './markdown-table.ts';

describe('tableRow', () => {
  it('writes the cells between pipes, numbers as JavaScript writes them', () => {
    expect(tableRow(['a', 1.5, '2 / 3'])).toBe('| a | 1.5 | 2 / 3 |');
  });
});
