import { describe, expect, it } from 'vitest';
import { renderVegaLiteSvg } from './charts.ts';

describe('renderVegaLiteSvg', () => {
  it('draws one bar per data row', async () => {
    const svg = await renderVegaLiteSvg({
      data: {
        values: [
          { backend: 'cpu', ms: 3 },
          { backend: 'wasm', ms: 1 },
        ],
      },
      mark: 'bar',
      encoding: { x: { field: 'backend', type: 'nominal' }, y: { field: 'ms', type: 'quantitative' } },
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/role-mark-bar|aria-roledescription="bar"/g)?.length ?? 0).toBeGreaterThan(0);
    expect(svg).toContain('backend');
  });
});
