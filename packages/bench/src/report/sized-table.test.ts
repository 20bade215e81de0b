import { describe, expect, it } from 'vitest';
import { sizedTable } from './sized-table.ts';

const rows = [
  { name: 'a | b', size: 224, cells: ['1', 'x'] },
  { name: 'c', size: 100, cells: ['2', 'y'] },
];

describe('sizedTable', () => {
  it('has no Size column in a report of one input size', () => {
    expect(sizedTable(false, ['ms', 'note'], rows)).toBe(
      ['| Backend | ms | note |', '| :--- | ---: | ---: |', '| a \\| b | 1 | x |', '| c | 2 | y |'].join('\n'),
    );
  });

  it('puts the Size column second, right-aligned, under its own first heading and alignment', () => {
    expect(sizedTable(true, ['ms', 'note'], rows, { first: 'int8 backend', align: ['r', 'l'] })).toBe(
      [
        '| int8 backend | Size | ms | note |',
        '| :--- | ---: | ---: | :--- |',
        '| a \\| b | 224 | 1 | x |',
        '| c | 100 | 2 | y |',
      ].join('\n'),
    );
  });
});
