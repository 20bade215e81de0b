import type { BackendRun, BenchResults } from '../../results/schema.ts';
import { percent, sig, small } from '../format.ts';
import { rowsWith } from '../rows.ts';
import { sizedRow, sizedTable } from '../sized-table.ts';
import { ranOwnWeights, weightsAt } from '../weights-at.ts';
import { prose, type ReportInput, type ReportSection } from './section.ts';

const SLICE_IS_A_CHECK =
  'this slice is a check that every engine computes the same function, not a new accuracy figure.';

function agreementIntro(results: BenchResults): string {
  const { agreement } = results.settings;
  const counts = [...new Set(results.runs.filter((r) => r.agreement).map((r) => r.agreement!.images))];
  if (counts.length === 0) return 'Not measured in this run.';
  let text = prose`The first ${counts.join(' / ')} images of the Fashion-MNIST test set, the same images for every
    backend at a size`;
  const ref = results.runs.find((r) => r.backend === agreement.reference && r.agreement);
  if (ref && ref.agreement!.images < agreement.images) {
    text += ` ${prose`(the reference, ${ref.label}, classified ${ref.agreement!.images} of the planned
      ${agreement.images} within its ${sig(agreement.referenceTimeMs / 1000)} s budget)`}`;
  }
  text += '.';
  const sizes = results.settings.sizes;
  if (sizes.some((size) => ranOwnWeights(results, size))) {
    // each size ran its own weights where it had them: each has its own accuracy
    const scores = sizes.flatMap((size) => {
      const w = weightsAt(results, size);
      return w.manifestTestAccuracy !== null && w.trainedInputSize === size
        ? [`${percent(w.manifestTestAccuracy)} at ${size} px`]
        : [];
    });
    if (scores.length)
      text += ` On all 10,000 test images the weights each size ran score ${scores.join(', ')} (their manifests); ${SLICE_IS_A_CHECK}`;
  } else if (results.model.manifestTestAccuracy !== null) {
    text += ` On all 10,000 test images the weights score ${percent(results.model.manifestTestAccuracy)} (their manifest); ${SLICE_IS_A_CHECK}`;
  }
  return text;
}

const COLUMNS = ['images', 'top-1 accuracy', 'same top-1 as cpu', 'max |Δ logit| vs cpu'];

function agreementTable({ ran, sizes, withSize, results }: ReportInput): string {
  const reference = results.settings.agreement.reference;
  const rows = rowsWith(ran, sizes, (r) => r.agreement).map(([r, a]) => {
    const isRef = r.backend === reference;
    const cells = [
      String(a.images),
      `${percent(a.top1Accuracy)} (${a.correct}/${a.images})`,
      isRef ? 'reference' : a.top1MatchesReference === null ? '—' : percent(a.top1MatchesReference, 2),
      isRef ? 'reference' : small(a.maxAbsLogitDiff),
    ];
    return sizedRow(r, cells);
  });
  return sizedTable(withSize, COLUMNS, rows);
}

/**
 * Edge rows serve the model bundled into their build, not the bench's weights: at a size the bench's weights were
 * not trained for, that is a model trained for that size, so their accuracy is real and their difference from the
 * reference (the bench's weights at that size) is expected.
 */
function ownModelNote(results: BenchResults, ran: readonly BackendRun[]): string[] {
  const trained = results.model.trainedInputSize;
  // where the size ran its own weights, an edge build's own model is the same kind: nothing to explain
  const own = ran.filter(
    (r) => r.remote && r.agreement && trained !== null && r.size !== trained && !ranOwnWeights(results, r.size),
  );
  if (own.length === 0) return [];
  const served = [
    ...new Set(own.map((r) => `${r.label} (${String(r.facts?.details.servedWeights ?? `${r.size} px`)})`)),
  ];
  return [
    '',
    prose`${served.join(', ')}: an edge build serves the model bundled into it, trained for its own input size, while
      the other rows at that size run the bench's ${trained} px weights. Their top-1 accuracy is their own model's;
      their difference from the reference is that of two models, not an engine error.`,
  ];
}

function partialNotes(runs: readonly BackendRun[]): string {
  const partial = runs.filter((r) => r.status === 'partial');
  if (!partial.length) return '';
  return [
    '',
    'Some measurements failed:',
    '',
    ...partial.map((r) => `- ${r.label} @${r.size} px: ${r.errors?.join('; ')}`),
  ].join('\n');
}

/** Whether every engine computes the same function: top-1 against the labels and the logits against the reference. */
export const agreement: ReportSection = {
  name: 'agreement',
  body: (input) => [
    '## Agreement',
    '',
    agreementIntro(input.results),
    '',
    agreementTable(input),
    ...ownModelNote(input.results, input.ran),
    partialNotes(input.results.runs),
    '',
  ],
  methodology: ({ results }) => {
    const a = results.settings.agreement;
    return [
      prose`- **Agreement.** The first images of the Fashion-MNIST test set (a fixed slice), preprocessed by the core,
        classified in batches of ${a.batch}. The reference (\`${a.reference}\`) runs first with a
        ${sig(a.referenceTimeMs / 1000)} s budget of at most ${a.images} images; every other backend classifies the
        same images it managed. Top-1 accuracy is against the labels; max |Δ logit| is the largest difference from
        the reference's logits over all those images and classes.`,
    ];
  },
};
