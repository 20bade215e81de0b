import { NUM_CLASSES } from '@nin-bench/core-nin/model';
import type { OfflinePoint } from '../child/protocol.ts';
import type { ChildOutcome } from '../child/spawn.ts';
import type { CatalogEntry } from '../plan/catalog.ts';
import { gflopsPerSecond, throughputFromLatency } from '../stats/summary.ts';
import type { AgreementResult, BackendRun, OfflineResult } from './schema.ts';

/**
 * Top-1 accuracy of `logits` (n x 10, row-major) against the labels, and how far they are from the
 * reference's logits for the same images (max |difference| and share of equal top-1 classes).
 */
export function agreementOf(logits: ArrayLike<number>, labels: ArrayLike<number>, reference: ArrayLike<number> | null): AgreementResult {
  const images = Math.floor(logits.length / NUM_CLASSES);
  if (images > labels.length) throw new RangeError(`${images} images of logits but only ${labels.length} labels`);
  const argmax = (values: ArrayLike<number>, image: number): number => {
    let best = 0;
    for (let c = 1; c < NUM_CLASSES; c++) if (values[image * NUM_CLASSES + c] > values[image * NUM_CLASSES + best]) best = c;
    return best;
  };
  let correct = 0;
  for (let i = 0; i < images; i++) if (argmax(logits, i) === labels[i]) correct++;
  let maxAbsLogitDiff: number | null = null;
  let top1MatchesReference: number | null = null;
  if (reference) {
    const shared = Math.min(images, Math.floor(reference.length / NUM_CLASSES));
    let maxDiff = 0;
    let same = 0;
    for (let i = 0; i < shared; i++) {
      for (let c = 0; c < NUM_CLASSES; c++) maxDiff = Math.max(maxDiff, Math.abs(logits[i * NUM_CLASSES + c] - reference[i * NUM_CLASSES + c]));
      if (argmax(logits, i) === argmax(reference, i)) same++;
    }
    if (shared > 0) {
      maxAbsLogitDiff = maxDiff;
      top1MatchesReference = same / shared;
    }
  }
  return { images, correct, top1Accuracy: images > 0 ? correct / images : 0, maxAbsLogitDiff, top1MatchesReference };
}

export interface AssembleContext {
  readonly size: number;
  readonly multiplyAdds: number;
  readonly labels: ArrayLike<number>;
  /** the reference's logits at this size; null for the reference itself or when it did not run */
  readonly referenceLogits: ArrayLike<number> | null;
}

/** What one child's messages said, scenario by scenario; an `unavailable` message ends them. */
interface Reported {
  facts?: BackendRun['facts'];
  coldStart?: BackendRun['coldStart'];
  singleStream?: BackendRun['singleStream'];
  readonly offline: OfflineResult[];
  agreement?: AgreementResult;
  memory?: BackendRun['memory'];
  extras?: BackendRun['extras'];
  logits: number[] | null;
  readonly errors: string[];
  /** why the row could not run, when the child said so */
  unavailable?: string;
}

function readMessages(messages: ChildOutcome['messages'], ctx: AssembleContext): Reported {
  const r: Reported = { offline: [], logits: null, errors: [] };
  for (const m of messages) {
    switch (m.type) {
      case 'unavailable':
        r.unavailable = m.reason;
        return r;
      case 'facts':
        r.facts = m.facts;
        break;
      case 'cold-start':
        r.coldStart = m.coldStart;
        break;
      case 'single-stream':
        r.singleStream = { ...m.latency, gflops: gflopsPerSecond(ctx.multiplyAdds, 1000 / m.latency.mean) };
        break;
      case 'offline':
        r.offline.push(offlineResult(m.point, ctx.multiplyAdds));
        break;
      case 'agreement':
        r.logits = m.logits;
        r.agreement = agreementOf(m.logits, ctx.labels, ctx.referenceLogits);
        break;
      case 'memory':
        r.memory = m.memory;
        break;
      case 'extras':
        r.extras = m.extras;
        break;
      case 'error':
        r.errors.push(`${m.scenario}: ${m.message}`);
        break;
      default:
        break;
    }
  }
  return r;
}

/** One batch size's offline figures: its throughput from its latency, or why it was skipped. */
function offlineResult(point: OfflinePoint, multiplyAdds: number): OfflineResult {
  if ('skipped' in point) return { batch: point.batch, skipped: point.skipped };
  const t = throughputFromLatency(point.batch, point.latency);
  const gflops = gflopsPerSecond(multiplyAdds, t.imagesPerSecond);
  return { batch: point.batch, latency: point.latency, imagesPerSecond: t.imagesPerSecond, rme: t.rme, gflops };
}

/** Turns what one child reported into a results row. Pure: the tests feed it recorded outcomes. */
export function assembleRun(
  entry: CatalogEntry,
  outcome: ChildOutcome,
  ctx: AssembleContext,
): { run: BackendRun; logits: number[] | null } {
  const base = {
    backend: entry.id,
    label: entry.label,
    engine: entry.engine,
    ...(entry.remote ? { remote: true } : {}),
    ...(entry.browser ? { browser: true } : {}),
    ...(entry.int8Of ? { int8Of: entry.int8Of } : {}),
    size: ctx.size,
    wallMs: Math.round(outcome.wallMs),
  };
  const r = readMessages(outcome.messages, ctx);
  if (r.unavailable !== undefined)
    return { run: { ...base, status: 'unavailable', reason: r.unavailable, facts: r.facts }, logits: null };
  const errors = outcome.failure ? [...r.errors, outcome.failure] : r.errors;
  const measured = r.coldStart !== undefined;
  const status = !measured ? 'failed' : errors.length > 0 ? 'partial' : 'ok';
  const run: BackendRun = {
    ...base,
    status,
    ...(status === 'failed' ? { reason: errors.join('; ') || 'the child reported nothing' } : {}),
    ...(status === 'partial' ? { errors } : {}),
    facts: r.facts,
    coldStart: r.coldStart,
    singleStream: r.singleStream,
    offline: r.offline.length ? r.offline : undefined,
    agreement: r.agreement,
    memory: r.memory,
    ...(r.extras?.length ? { extras: r.extras } : {}),
  };
  return { run, logits: r.logits };
}
