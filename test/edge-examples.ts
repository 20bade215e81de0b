// The edge's example images (packages/edge-api/examples/, listed in samples.json), shared by the end-to-end tests
// that send them to the real `wrangler dev`.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EDGE_DIR } from '@nin-bench/edge-api/node';

export interface EdgeSample {
  readonly file: string;
  readonly testIndex: number;
  readonly label: number;
  readonly className: string;
}

export const examplePath = (file: string): string => join(EDGE_DIR, 'examples', file);

export async function readEdgeSamples(): Promise<EdgeSample[]> {
  return (JSON.parse(await readFile(examplePath('samples.json'), 'utf8')) as { samples: EdgeSample[] }).samples;
}

/** The example named `file`; a missing one fails at once, by name. */
export function sampleNamed(samples: readonly EdgeSample[], file: string): EdgeSample {
  const sample = samples.find((s) => s.file === file);
  if (!sample) throw new Error(`no ${file} among the edge examples`);
  return sample;
}
