import { afterEach, describe, expect, it, vi } from 'vitest';
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

  describe("vega-lite's warnings", () => {
    afterEach(() => vi.restoreAllMocks());
    const values = [
      { place: 'Node', backend: 'a', ms: 1 },
      { place: 'browser', backend: 'b', ms: 3 },
    ];

    it('passes a real one on to console.warn', async () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      await renderVegaLiteSvg({
        data: { values },
        mark: 'bar',
        encoding: {
          x: { field: 'backend', type: 'nominal' },
          y: { field: 'ms', type: 'quantitative' },
          shape: { field: 'backend', type: 'nominal' },
        },
      });
      expect(warn.mock.calls).toEqual([['WARN', 'shape dropped as it is incompatible with "bar".']]);
    });

    it("drops the faceted independent scale's note about forks of one source (the bench's grouped charts)", async () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      // the throughput chart's shape (the latency chart, with no aggregate, warns the same): a rule over the aggregated
      // rows, a point per row, one y sort in both
      const y = { field: 'backend', type: 'nominal', sort: { field: 'ms', op: 'max' } } as const;
      const x = { field: 'ms', type: 'quantitative' } as const;
      const svg = await renderVegaLiteSvg({
        data: { values },
        facet: { row: { field: 'place', type: 'nominal' } },
        resolve: { scale: { y: 'independent' } },
        spec: {
          layer: [
            { mark: 'rule', encoding: { y, x: { aggregate: 'min', ...x }, x2: { aggregate: 'max', field: 'ms' } } },
            { mark: 'point', encoding: { y, x } },
          ],
        },
      });
      expect(svg.startsWith('<svg')).toBe(true);
      expect(warn).not.toHaveBeenCalled();
    });
  });
});
