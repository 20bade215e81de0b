import { sig } from '../format.ts';
import { prose, type ReportSection } from './section.ts';

/** How the harness isolates and times a row: the first bullets, before each section's own. */
function harnessBullets(childTimeoutMs: number): string[] {
  return [
    prose`- **Isolation.** Each backend runs in its own fresh \`node\` child process (TypeScript through tsx), one at a
      time, so engines never share state or cores. A child that crashes or exceeds ${sig(childTimeoutMs / 60000)}
      minutes becomes a failed row with the reason.`,
    prose`- **What one call measures.** \`infer(batch)\`: wrapping the preprocessed \`Float32Array\` as the engine's input
      tensor, the forward pass, and reading the logits back into JavaScript memory — what a caller waits for.
      Preprocessing (PIL-bilinear resize, /255) is the same JavaScript for every engine and is excluded.`,
  ];
}

/** Methodology: the harness's own bullets, then every section's, in the sections' order. */
export const methodology: ReportSection = {
  name: 'methodology',
  body: (input) => [
    '## Methodology',
    '',
    ...harnessBullets(input.results.settings.childTimeoutMs),
    ...input.sections.flatMap((s) => s.methodology?.(input) ?? []),
    '',
  ],
};
