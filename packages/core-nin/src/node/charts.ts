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
  const logger = vega.logger(vega.Warn, undefined, (method, level, input) => {
    if (!isKnownBenignWarning(input[0])) console[method](level, ...input);
  });
  const view = new vega.View(vega.parse(compile(spec, { logger }).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * vega-lite's warning for any layered chart faceted with an independent scale (the bench's grouped charts: a panel per
 * place, its own backends on y, a dot and a line per backend): each layer reads its own fork of the facet's data, and
 * vega-lite cannot tell that they are forks of one source, so it says the view size "may be incorrect" (vega-lite#2736,
 * open). They are, so it is not; the spec cannot avoid it (checked: the latency chart, with its backends sorted in our
 * own code and no aggregate in it, still warned once for each of its 3 layers). Dropped so the bench and its tests do
 * not print it for every chart; every other warning is passed on.
 */
function isKnownBenignWarning(message: unknown): boolean {
  return (
    typeof message === 'string' &&
    message.startsWith('Detected faceted independent scales that union domain of the same fields from different source')
  );
}
