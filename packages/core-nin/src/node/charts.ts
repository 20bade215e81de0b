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
 * vega-lite's warning for a faceted chart with an independent scale whose layers reach one data set by different paths
 * (the bench's grouped charts: a panel per place, a rule over each backend's aggregated rows beside a dot per row). It
 * cannot tell that these are forks of one source and says the view size "may be incorrect"; they are, so it is not.
 * Dropped so the bench and its tests do not print it once per chart; every other warning is passed on.
 */
function isKnownBenignWarning(message: unknown): boolean {
  return (
    typeof message === 'string' &&
    message.startsWith('Detected faceted independent scales that union domain of the same fields from different source')
  );
}
