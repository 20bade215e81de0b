import type { TopLevelSpec } from 'vega-lite';

/**
 * Renders a Vega-Lite spec to a standalone SVG string, headless (no canvas, no browser). Shared by the training
 * curve and the bench report so every chart in results/ is drawn the same way.
 *
 * vega and vega-lite are imported here, on first use, not at the top: `@nin-bench/core-nin/node` is what every
 * tfjs bench child imports during its timed engine init, and loading them costs ~0.2-0.3 s it never needs.
 */
export async function renderVegaLiteSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
