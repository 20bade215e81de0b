import { NUM_CLASSES } from '@nin-bench/core-nin/model';
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

/** Turns what one child reported into a results row. Pure: the tests feed it recorded outcomes. */
export function assembleRun(entry: CatalogEntry, outcome: ChildOutcome, ctx: AssembleContext): { run: BackendRun; logits: number[] | null } {
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
  let facts: BackendRun['facts'];
  let coldStart: BackendRun['coldStart'];
  let singleStream: BackendRun['singleStream'];
  const offline: OfflineResult[] = [];
  let agreement: AgreementResult | undefined;
  let memory: BackendRun['memory'];
  let extras: BackendRun['extras'];
  let logits: number[] | null = null;
  const errors: string[] = [];
  for (const m of outcome.messages) {
    switch (m.type) {
      case 'unavailable':
        return { run: { ...base, status: 'unavailable', reason: m.reason, facts }, logits: null };
      case 'facts':
        facts = m.facts;
        break;
      case 'cold-start':
        coldStart = m.coldStart;
        break;
      case 'single-stream':
        singleStream = { ...m.latency, gflops: gflopsPerSecond(ctx.multiplyAdds, 1000 / m.latency.mean) };
        break;
      case 'offline':
        if ('skipped' in m.point) offline.push({ batch: m.point.batch, skipped: m.point.skipped });
        else {
          const t = throughputFromLatency(m.point.batch, m.point.latency);
          const gflops = gflopsPerSecond(ctx.multiplyAdds, t.imagesPerSecond);
          offline.push({ batch: m.point.batch, latency: m.point.latency, imagesPerSecond: t.imagesPerSecond, rme: t.rme, gflops });
        }
        break;
      case 'agreement':
        logits = m.logits;
        agreement = agreementOf(m.logits, ctx.labels, ctx.referenceLogits);
        break;
      case 'memory':
        memory = m.memory;
        break;
      case 'extras':
        extras = m.extras;
        break;
      case 'error':
        errors.push(`${m.scenario}: ${m.message}`);
        break;
      default:
        break;
    }
  }
  if (outcome.failure) errors.push(outcome.failure);
  const measured = coldStart !== undefined;
  const status = !measured ? 'failed' : errors.length > 0 ? 'partial' : 'ok';
  const run: BackendRun = {
    ...base,
    status,
    ...(status === 'failed' ? { reason: errors.join('; ') || 'the child reported nothing' } : {}),
    ...(status === 'partial' ? { errors } : {}),
    facts,
    coldStart,
    singleStream,
    offline: offline.length ? offline : undefined,
    agreement,
    memory,
    ...(extras?.length ? { extras } : {}),
  };
  return { run, logits };
}
