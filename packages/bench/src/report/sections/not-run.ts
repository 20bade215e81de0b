import { table } from '../format.ts';
import { measured } from '../rows.ts';
import type { ReportSection } from './section.ts';

/** Every selected row that measured nothing, once per reason. */
export const notRun: ReportSection = {
  name: 'backends that did not run',
  body: ({ results }) => {
    const seen = new Set<string>();
    const rows: string[][] = [];
    for (const r of results.runs) {
      if (measured(r)) continue;
      const key = `${r.backend}|${r.reason}`;
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push([r.label, r.status, r.reason ?? '']);
    }
    const text = rows.length
      ? table(['Backend', 'status', 'reason'], rows, ['l', 'l', 'l'])
      : '_Every selected backend ran._';
    return ['## Backends that did not run', '', text, ''];
  },
};
