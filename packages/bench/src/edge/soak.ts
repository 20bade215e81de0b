/**
 * The edge soak: many requests of real test images against a running endpoint, some sequential and some from
 * concurrent clients, checking what a deployment needs over time: no errors, the same answer for the same image
 * every time, the Worker's wasm memory flat, and the Worker process's RSS settling instead of growing.
 */

export interface SoakImages {
  /** 28x28 8-bit images back to back */
  readonly images: Uint8Array;
  readonly count: number;
}

export interface SoakOptions {
  /** the endpoint, e.g. http://127.0.0.1:8787 */
  readonly base: string;
  readonly images: SoakImages;
  /** requests in all (default 10,000) */
  readonly requests?: number;
  /** clients of the concurrent rounds (default 16) */
  readonly clients?: number;
  /** rounds, alternately concurrent and sequential, starting concurrent (default 5) */
  readonly rounds?: number;
  /** the Worker process's resident memory now, in bytes, or null when it cannot be seen (a remote endpoint) */
  readonly workerRssBytes?: () => number | null;
  readonly onProgress?: (done: number, total: number) => void;
  /** per-request time limit (default 30 s): a hung request is an error, never a hung soak */
  readonly requestTimeoutMs?: number;
}

export interface SoakSnapshot {
  readonly afterRequests: number;
  readonly wasmHeapBytes: number | null;
  readonly workerRssBytes: number | null;
}

export interface SoakResult {
  readonly requests: number;
  readonly errors: number;
  /** the first few errors, in words */
  readonly errorSamples: readonly string[];
  readonly distinctImages: number;
  /** images whose answer (logits) differed between requests */
  readonly inconsistentImages: number;
  readonly seconds: number;
  readonly rounds: readonly {
    readonly kind: 'concurrent' | 'sequential';
    readonly clients: number;
    readonly requests: number;
    readonly seconds: number;
    readonly requestsPerSecond: number;
  }[];
  /** after every round; the first is the baseline the end is compared to */
  readonly snapshots: readonly SoakSnapshot[];
  readonly wasmMemoryFlat: boolean | null;
  /** the last RSS over the first round's, minus 1 (0.05 = grew 5%); null when RSS is not visible */
  readonly rssGrowth: number | null;
  /** every check passed: no error, consistent answers, wasm memory flat, RSS within 10% of the baseline */
  readonly passed: boolean;
}

export const SOAK_RSS_TOLERANCE = 0.1;

async function health(base: string): Promise<number | null> {
  const res = await fetch(`${base}/health`);
  const body = (await res.json()) as { wasmHeapBytes?: unknown };
  return typeof body.wasmHeapBytes === 'number' ? body.wasmHeapBytes : null;
}

type SoakRound = SoakResult['rounds'][number];

/**
 * Sends real test images to the endpoint in rounds (alternately concurrent and sequential, starting concurrent),
 * with a snapshot of the Worker's memory after each, and checks the answers and the memory over the whole soak.
 */
export async function soakEdge(options: SoakOptions): Promise<SoakResult> {
  const { base, images } = options;
  const total = options.requests ?? 10_000;
  const clients = options.clients ?? 16;
  const roundCount = options.rounds ?? 5;
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  if (!Number.isInteger(total) || total < roundCount)
    throw new RangeError(`a soak needs at least ${roundCount} requests, got ${total}`);
  if (images.count < 1) throw new RangeError('a soak needs at least one image');
  await expectAnswer(base, timeoutMs);
  const tally = new SoakTally(options, total, timeoutMs);
  const rounds: SoakRound[] = [];
  const snapshots: SoakSnapshot[] = [];
  const started = performance.now();
  for (let r = 0; r < roundCount; r++) {
    const count = Math.round(((r + 1) * total) / roundCount) - Math.round((r * total) / roundCount);
    const kind = r % 2 === 0 ? 'concurrent' : 'sequential';
    rounds.push(await soakRound(tally, kind, kind === 'concurrent' ? clients : 1, count));
    snapshots.push({
      afterRequests: tally.done,
      wasmHeapBytes: await health(base).catch(() => null),
      workerRssBytes: options.workerRssBytes?.() ?? null,
    });
  }
  return soakResult(tally, rounds, snapshots, (performance.now() - started) / 1000);
}

/** Fails at once, in words, when nothing answers (rather than 10,000 failed requests). */
async function expectAnswer(base: string, timeoutMs: number): Promise<void> {
  try {
    await fetch(`${base}/health`, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const { cause, message } = e as Error;
    const why = cause instanceof Error ? cause.message : message;
    throw new Error(
      `nothing answers at ${base}/health (${why}): start the endpoint (npm run edge:dev) or pass its --url`,
    );
  }
}

/** The soak's requests, one test image each in turn, and what their answers showed: errors, changed answers. */
class SoakTally {
  readonly answers = new Map<number, string>();
  readonly inconsistent = new Set<number>();
  readonly errorSamples: string[] = [];
  errors = 0;
  done = 0;
  #next = 0;

  constructor(
    private readonly options: SoakOptions,
    private readonly total: number,
    private readonly timeoutMs: number,
  ) {}

  /** One request of the next image; an error is counted (the first five in words), never thrown. */
  async one(): Promise<void> {
    const { base, images } = this.options;
    const k = this.#next++ % images.count;
    try {
      const res = await fetch(`${base}/predict?topk=1`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: images.images.slice(k * 784, (k + 1) * 784),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
      const answer = JSON.stringify((JSON.parse(text) as { logits: number[] }).logits);
      const previous = this.answers.get(k);
      if (previous === undefined) this.answers.set(k, answer);
      else if (previous !== answer) this.inconsistent.add(k);
    } catch (e) {
      this.errors++;
      if (this.errorSamples.length < 5) this.errorSamples.push(`image ${k}: ${(e as Error).message}`);
    }
    this.done++;
    this.options.onProgress?.(this.done, this.total);
  }
}

/** One round: `count` requests from `width` clients at once. */
async function soakRound(tally: SoakTally, kind: SoakRound['kind'], width: number, count: number): Promise<SoakRound> {
  const t0 = performance.now();
  let left = count;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (left > 0) {
        left--;
        await tally.one();
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return { kind, clients: width, requests: count, seconds, requestsPerSecond: count / seconds };
}

/** The soak's verdict: the wasm memory flat over every snapshot, the RSS's growth from the first to the last. */
function soakResult(tally: SoakTally, rounds: SoakRound[], snapshots: SoakSnapshot[], seconds: number): SoakResult {
  const heaps = snapshots.map((s) => s.wasmHeapBytes);
  const wasmMemoryFlat = heaps.every((h) => h !== null) ? heaps.every((h) => h === heaps[0]) : null;
  const first = snapshots[0].workerRssBytes;
  const last = snapshots.at(-1)!.workerRssBytes;
  const rssGrowth = first !== null && last !== null ? last / first - 1 : null;
  const { errors, inconsistent } = tally;
  return {
    requests: tally.done,
    errors,
    errorSamples: tally.errorSamples,
    distinctImages: tally.answers.size,
    inconsistentImages: inconsistent.size,
    seconds,
    rounds,
    snapshots,
    wasmMemoryFlat,
    rssGrowth,
    passed:
      errors === 0 &&
      inconsistent.size === 0 &&
      wasmMemoryFlat !== false &&
      (rssGrowth === null || rssGrowth <= SOAK_RSS_TOLERANCE),
  };
}

/** The soak in a few lines, for a terminal or the report. */
export function describeSoak(r: SoakResult): string[] {
  const mib = (b: number | null) => (b === null ? 'n/a' : `${(b / 2 ** 20).toFixed(1)} MiB`);
  const rounds = r.rounds
    .map(
      (x) =>
        `${x.requests} ${x.kind}${x.kind === 'concurrent' ? ` x${x.clients}` : ''} at ${x.requestsPerSecond.toFixed(0)}/s`,
    )
    .join(', ');
  const wasmFlat = r.wasmMemoryFlat === null ? '' : r.wasmMemoryFlat ? ' (flat)' : ' (GREW)';
  const growth =
    r.rssGrowth === null
      ? ' (not visible: a server this process did not start)'
      : ` (${r.rssGrowth >= 0 ? '+' : ''}${(r.rssGrowth * 100).toFixed(1)}% from the first round to the last;` +
        ` limit +${SOAK_RSS_TOLERANCE * 100}%)`;
  return [
    `${r.requests} requests in ${r.seconds.toFixed(0)} s (${rounds})`,
    `errors: ${r.errors}${r.errorSamples.length ? ` (${r.errorSamples.join('; ')})` : ''}`,
    `answers: ${r.distinctImages} distinct images, ${r.inconsistentImages} answered differently between requests`,
    `Worker wasm memory after each round: ${r.snapshots.map((s) => mib(s.wasmHeapBytes)).join(', ')}${wasmFlat}`,
    `Worker process RSS after each round: ${r.snapshots.map((s) => mib(s.workerRssBytes)).join(', ')}${growth}`,
    r.passed ? 'soak passed' : 'soak FAILED',
  ];
}
