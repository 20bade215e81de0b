import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { INT8_MODEL, onnxSessionModel } from './onnx-session.ts';
import type { EngineFacts, Runner, RunnerTask } from './runner.ts';

/** The part of onnxruntime-node's and onnxruntime-web's APIs (both onnxruntime-common's) a runner uses. */
interface OrtModule<T> {
  readonly Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => T;
  readonly InferenceSession: {
    create(
      model: Uint8Array,
      options: object,
    ): Promise<{ run(feeds: Record<string, T>): Promise<Record<string, { readonly data: unknown }>> }>;
  };
}

/** What tells the two onnxruntime runners apart. */
export interface OrtEngine<M> {
  /** the engine's name in its facts */
  readonly name: string;
  /** imports the engine's package (inside init: its import is part of the engine's cold start) */
  readonly load: () => Promise<M>;
  /** configures the engine for `threads` before its first session; its version and the facts' details */
  readonly setUp: (ort: M, threads: number) => Pick<EngineFacts, 'version' | 'details'>;
  /** the session options for `threads` */
  readonly sessionOptions: (threads: number) => object;
  /** checks the engine once its first session exists (throws BackendUnavailableError when it cannot run as asked) */
  readonly check?: (ort: M, threads: number) => void;
}

/**
 * A runner of an ONNX Runtime engine on the row's ONNX export: `options.threads` threads (default: all cores); an
 * int8 row's facts name its model.
 */
export function createOrtRunner<M extends OrtModule<T>, T>(task: RunnerTask, engine: OrtEngine<M>): Runner {
  const threads = Number(task.options.threads ?? availableParallelism());
  let ort: M;
  return {
    async init() {
      ort = await engine.load();
      const { version, details } = engine.setUp(ort, threads);
      const model = task.model === 'onnx-int8' ? { model: INT8_MODEL } : undefined;
      return { engine: engine.name, version, details: { ...details, ...model } };
    },
    async load() {
      const model = new Uint8Array(await readFile(task.modelPath));
      const session = await ort.InferenceSession.create(model, engine.sessionOptions(threads));
      engine.check?.(ort, threads);
      return onnxSessionModel(ort, session, task.size);
    },
  };
}
