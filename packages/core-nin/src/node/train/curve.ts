import type { TopLevelSpec } from 'vega-lite';
import { renderVegaLiteSvg } from '../charts.ts';
import type { EpochRecord } from '../../training/trainer.ts';

/** Loss (left) and train/test accuracy (right) per epoch, as an SVG. */
export function trainingCurveSvg(history: readonly EpochRecord[], title: string): Promise<string> {
  const rows = history.flatMap((r) => [
    { epoch: r.epoch, panel: 'loss', series: 'train loss', value: r.trainLoss },
    { epoch: r.epoch, panel: 'accuracy', series: 'train accuracy', value: r.trainAccuracy },
    ...(r.testAccuracy === null
      ? []
      : [{ epoch: r.epoch, panel: 'accuracy', series: 'test accuracy', value: r.testAccuracy }]),
  ]);
  const panel = (name: string, yTitle: string) => ({
    width: 300,
    height: 220,
    transform: [{ filter: `datum.panel === '${name}'` }],
    mark: { type: 'line' as const, point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative' as const, title: 'epoch', axis: { tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative' as const, title: yTitle, scale: { zero: false } },
      color: { field: 'series', type: 'nominal' as const, title: null },
    },
  });
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    data: { values: rows },
    hconcat: [panel('loss', 'softmax cross-entropy (train)'), panel('accuracy', 'accuracy')],
    resolve: { scale: { color: 'independent' } },
  } as TopLevelSpec;
  return renderVegaLiteSvg(spec);
}
