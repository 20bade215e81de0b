import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { BackendUnavailableError } from '@nin-bench/core-nin/errors';
import { quantileSorted } from '@nin-bench/core-nin/stats/quantile';
import { prose } from '../text/prose.ts';
import type { CreateRunner, EngineFacts, ExtraMeasurement } from './runner.ts';

/**
 * PyTorch, the engine the seed model was written for: d2l's `nn.Sequential` NiN with our safetensors weights, in a
 * Python child (pytorch_runner.py) this runner talks to over stdin/stdout. `options.device` is `cpu` or `cuda`;
 * on CUDA `options.precision` is `strict` (TF32 off: float32 as WebGPU and the CPU engines compute) or `default`
 * (PyTorch's own: cuDNN may use TF32 for convolutions). `options.threads` sets torch's intra-op threads.
 *
 * The engine's own time is the row's figure: Python times each call (perf_counter around copying the input to
 * the device, the forward pass and the logits back in host memory) and `infer` returns that time with the logits,
 * so the pipe to Node is not in it. Each distinct input batch crosses the pipe once and stays in the Python
 * process (the harness passes the same batch object to every timed call). The runner-specific measurements give
 * what the pipe added per call, as the harness's clock saw it.
 *
 * The Python is `$NIN_BENCH_PYTHON`, else the first of `python3` and `/usr/bin/python3` that imports torch.
 */

const SCRIPT = fileURLToPath(new URL('./pytorch_runner.py', import.meta.url));
/** pytorch_runner.py's KEEP_LIMIT: both sides drop the least recently used inputs past it. */
const KEEP_LIMIT = 8;
/** Python and torch's import, and CUDA's initialisation, take seconds on a loaded machine. */
const HELLO_TIMEOUT_MS = 180_000;

interface Frame {
  readonly header: Record<string, unknown>;
  readonly payload: Buffer;
}

/** One Python process and its framed pipe: requests go out one at a time, answers come back in order. */
class PythonPipe {
  #buffer = Buffer.alloc(0);
  readonly #waiting: { resolve: (f: Frame) => void; reject: (e: Error) => void }[] = [];
  #ended: Error | undefined;
  #stderr = '';

  constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#drain();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString('utf8')).slice(-2000);
    });
    const end = (why: string) => {
      const last = this.#stderr
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .at(-1);
      this.#ended ??= new Error(`${why}${last ? `: ${last}` : ''}`);
      for (const w of this.#waiting.splice(0)) w.reject(this.#ended);
    };
    child.on('error', (e) => end(`could not start ${child.spawnfile}: ${e.message}`));
    child.on('close', (code, signal) => end(`the Python process ended (${signal ?? `exit ${code}`})`));
  }

  #drain(): void {
    for (;;) {
      if (this.#buffer.length < 4) return;
      const headerLength = this.#buffer.readUInt32LE(0);
      if (this.#buffer.length < 4 + headerLength) return;
      const header = JSON.parse(this.#buffer.subarray(4, 4 + headerLength).toString('utf8')) as Record<string, unknown>;
      const size = Number(header.bytes ?? 0);
      if (this.#buffer.length < 4 + headerLength + size) return;
      const payload = Buffer.from(this.#buffer.subarray(4 + headerLength, 4 + headerLength + size));
      this.#buffer = this.#buffer.subarray(4 + headerLength + size);
      this.#waiting.shift()?.resolve({ header, payload });
    }
  }

  /** The next frame from Python. */
  next(timeoutMs?: number): Promise<Frame> {
    if (this.#ended) return Promise.reject(this.#ended);
    return new Promise((resolve, reject) => {
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => reject(new Error(`no answer from Python within ${timeoutMs / 1000} s`)), timeoutMs);
      this.#waiting.push({
        resolve: (f) => (clearTimeout(timer), resolve(f)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
    });
  }

  /** Sends one request and waits for its answer; a failed request (`ok: false`) throws its message. */
  async request(header: Record<string, unknown>, payload?: Uint8Array): Promise<Frame> {
    const head = Buffer.from(JSON.stringify(payload ? { ...header, bytes: payload.byteLength } : header), 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(head.length, 0);
    const answer = this.next();
    // One write per request: fewer wake-ups of the Python side on a timed call.
    this.child.stdin!.write(payload ? Buffer.concat([length, head, payload]) : Buffer.concat([length, head]));
    const frame = await answer;
    if (frame.header.ok !== true) throw new Error(String(frame.header.message ?? 'the Python runner failed'));
    return frame;
  }
}

/** Candidate interpreters, in order: the one asked for, else python3 on PATH, then Debian's. */
function pythons(): string[] {
  const chosen = process.env.NIN_BENCH_PYTHON;
  return chosen ? [chosen] : ['python3', '/usr/bin/python3'];
}

const median = (xs: readonly number[]): number =>
  quantileSorted(
    [...xs].sort((a, b) => a - b),
    0.5,
  );

/** A Python child that has brought torch up: its pipe, the interpreter and the facts of its hello. */
interface StartedPython {
  readonly pipe: PythonPipe;
  readonly python: string;
  readonly facts: Record<string, unknown>;
}

/**
 * Starts pytorch_runner.py under each candidate interpreter until one says hello; none: the row is unavailable
 * with what they said.
 */
async function startPython(spec: string, args: readonly string[]): Promise<StartedPython> {
  const refusals: string[] = [];
  for (const python of pythons()) {
    const child = spawn(python, [SCRIPT, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const candidate = new PythonPipe(child);
    let hello: Frame;
    try {
      hello = await candidate.next(HELLO_TIMEOUT_MS);
    } catch (e) {
      child.kill('SIGKILL');
      refusals.push(`${python}: ${(e as Error).message}`);
      continue;
    }
    const { type, reason, ...facts } = hello.header;
    if (type === 'hello') return { pipe: candidate, python, facts };
    child.kill('SIGKILL');
    // A Python without torch may sit before one with it; a missing CUDA is the same on every candidate.
    refusals.push(String(reason ?? `${python}: unexpected first message ${JSON.stringify(hello.header)}`));
    if (String(reason).startsWith('no CUDA')) break;
  }
  // When some Python has torch, why the others lack it is noise: say what that one said.
  const withTorch = refusals.filter((r) => !/cannot import torch|could not start/.test(r));
  throw new BackendUnavailableError(
    spec,
    (withTorch.length ? withTorch : refusals).join('; ') || 'no Python interpreter to try',
  );
}

/** The row's facts: what the Python child said about itself (objects as JSON), its interpreter, how it times. */
function pythonFacts({ python, facts }: StartedPython): EngineFacts {
  const details = Object.fromEntries(
    Object.entries(facts)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : (v as string | number | boolean)]),
  );
  return {
    engine: 'pytorch',
    version: String(facts.torch),
    details: {
      ...details,
      interpreter: python,
      timing: prose`engine's own: Python's clock around input to the device, forward pass, logits back to host
        memory; the pipe to Node excluded (its share: Runner-specific measurements)`,
    },
  };
}

/**
 * The id Python keeps a batch under, and whether Python holds it already: the last KEEP_LIMIT batches, least
 * recently used first (the same policy as pytorch_runner.py).
 */
function keptBatches(): (input: Float32Array) => { id: number; present: boolean } {
  const ids = new WeakMap<Float32Array, number>();
  const kept: number[] = [];
  let nextId = 0;
  return (input) => {
    let id = ids.get(input);
    const present = id !== undefined && kept.includes(id);
    if (id === undefined) ids.set(input, (id = nextId++));
    if (present) kept.splice(kept.indexOf(id), 1);
    kept.push(id);
    if (kept.length > KEEP_LIMIT) kept.shift();
    return { id, present };
  };
}

/** Python's own time per call, and the round trip's, by batch size. */
type CallTimes = Map<number, { python: number[]; roundTrip: number[] }>;

/** The pipe's share of each call by batch size, and the Python process's peak RSS. */
async function pipeMeasurements(times: CallTimes, pipe: PythonPipe): Promise<ExtraMeasurement[]> {
  const out: ExtraMeasurement[] = [];
  for (const [n, r] of [...times].sort((a, b) => a[0] - b[0])) {
    out.push({
      name: `pipe to Node per call, batch ${n}`,
      value: median(r.roundTrip.map((t, i) => t - r.python[i])),
      unit: 'ms',
      note: prose`median of ${r.python.length} calls: Node's round trip beyond Python's own time (median
        ${Number(median(r.python).toPrecision(3))} ms, the row's figure); a caller in Node would wait this much
        more`,
    });
  }
  const { header } = await pipe.request({ op: 'stats' });
  out.push({
    name: 'peak RSS of the Python process',
    value: Number(header.peakRssBytes) / 2 ** 20,
    unit: 'MiB',
    note: 'the memory row is the Node process that drives it',
  });
  return out;
}

export const createRunner: CreateRunner = (task) => {
  const device = String(task.options.device ?? 'cpu');
  const precision = String(task.options.precision ?? 'strict');
  const threads = Number(task.options.threads ?? availableParallelism());
  const spec = `pytorch ${device}${device === 'cuda' ? ` ${precision}` : ''}`;
  let pipe: PythonPipe;
  return {
    async init() {
      const args = { '--device': device, '--precision': precision, '--threads': String(threads) };
      const started = await startPython(spec, Object.entries(args).flat());
      pipe = started.pipe;
      return pythonFacts(started);
    },
    async load() {
      await pipe.request({ op: 'load', weights: task.weightsPath, size: task.size });
      const keep = keptBatches();
      const times: CallTimes = new Map(); // for the runner-specific figures
      return {
        async infer(batch) {
          const t0 = performance.now();
          const { id, present } = keep(batch.input);
          const bytes = present
            ? undefined
            : new Uint8Array(batch.input.buffer, batch.input.byteOffset, batch.input.byteLength);
          const { header, payload } = await pipe.request({ op: 'infer', id, n: batch.n, keep: true }, bytes);
          const logits = new Float32Array(
            payload.buffer.slice(payload.byteOffset, payload.byteOffset + payload.byteLength),
          );
          const durationMs = Number(header.ms);
          if (present) {
            const record = times.get(batch.n) ?? { python: [], roundTrip: [] };
            record.python.push(durationMs);
            record.roundTrip.push(performance.now() - t0);
            times.set(batch.n, record);
          }
          return { logits, durationMs };
        },
        extraMeasurements: () => pipeMeasurements(times, pipe),
      };
    },
  };
};
