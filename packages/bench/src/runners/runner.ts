/**
 * The runner interface: the one thing to write to put a new engine in the bench. A runner file exports
 * `createRunner` (a {@link CreateRunner}); the harness imports it inside a fresh child process, so a runner may
 * load whatever it likes and never has to clean up after itself. Everything it exchanges with the harness is
 * plain data (see README "Writing a runner").
 *
 * The harness owns timing, statistics, data and memory: a runner only brings its engine up, loads the model
 * and turns a batch into logits.
 */

/**
 * The model file a catalog entry's runner takes (its `model`), which the harness prepares from the weights:
 * `safetensors` the weights themselves; `onnx` / `onnx-int8` `nin export-onnx [--int8]` (input `input` NCHW
 * [N,1,S,S], output `logits` [N,10], dynamic batch); `tflite` / `tflite-int8` `nin export-tflite [--int8]` (input
 * NHWC [1,S,S,1], logits [1,10]); `endpoint` none (the runner reaches a server that bundles its own model).
 */
export type ModelFormat = 'safetensors' | 'onnx' | 'onnx-int8' | 'tflite' | 'tflite-int8' | 'endpoint';

/** What the harness hands a runner: the model to load and the options of its catalog entry. */
export interface RunnerTask {
  /** Square input side in pixels. */
  readonly size: number;
  /** The safetensors weights (float32 NiN state_dict with manifest): every runner gets them. */
  readonly weightsPath: string;
  /** The entry's model format: what `modelPath` holds. */
  readonly model: ModelFormat;
  /** The file of the entry's `model`, prepared for this size ('' for `endpoint`; the weights for `safetensors`). */
  readonly modelPath: string;
  /** The catalog entry's options, e.g. `{ backend: 'wasm:simd' }` or `{ threads: 2 }`. */
  readonly options: Readonly<Record<string, string | number | boolean>>;
}

/** A batch of `n` Fashion-MNIST test images, given both ways so that each runner takes what it needs. */
export interface Batch {
  readonly n: number;
  /** 28x28 8-bit gray images back to back (`n * 784` bytes): for runners that send images (an HTTP endpoint). */
  readonly images: Uint8Array;
  /**
   * The model's input, preprocessed by the core (`preprocessImages`): `n * size * size` floats in [0,1]. With one
   * channel, NHWC `[n,S,S,1]` (tfjs) and NCHW `[n,1,S,S]` (ONNX) are the same bytes.
   */
  readonly input: Float32Array;
}

/** Facts a reader needs to trust a row: engine version, binary or adapter, thread count ... */
export interface EngineFacts {
  readonly engine: string;
  readonly version: string;
  readonly details: Readonly<Record<string, string | number | boolean>>;
}

/**
 * A figure only this runner can take, beside the harness's own (an endpoint's server CPU per request, its
 * throughput under concurrent clients), with what it means for a reader. Plain data: the report prints it as is.
 */
export interface ExtraMeasurement {
  /** what was measured, in words: `server CPU per request` */
  readonly name: string;
  readonly value: number | string;
  /** `ms`, `requests/s`; absent for a value in words */
  readonly unit?: string;
  /** what it implies, in a few words, for the report's summary: `over the Workers Free plan's 10 ms ...` */
  readonly verdict?: string;
  /** how it was taken */
  readonly note?: string;
}

/**
 * Logits with the time the call took where the engine runs. A runner whose engine lives outside its process (a
 * browser page, driven over the DevTools protocol) times the call there and returns it like this, so that the
 * round trip to that process is not in the figure; the harness then uses `durationMs` in place of its own clock.
 */
export interface MeasuredLogits {
  readonly logits: Float32Array;
  readonly durationMs: number;
}

/** What `infer` returns: the logits (the harness times the call), or the logits with the runner's own timing. */
export type InferResult = Float32Array | MeasuredLogits;

/**
 * Cold-start phases timed where the engine runs (a browser page), used in place of the harness's clock:
 * `startMs` is what precedes the engine's init there (a page: navigation until its script runs), `initMs` the
 * engine's init.
 */
export interface MeasuredInit {
  readonly startMs: number;
  readonly initMs: number;
}

/** Memory figures a runner reads where its engine runs (a browser page's renderer); they replace the harness's. */
export interface MeasuredMemory {
  readonly peakRssBytes?: number;
  readonly startRssBytes?: number;
  readonly wasmHeapBytes?: number | null;
  readonly jsHeapUsedBytes?: number;
  /** CPU time spent outside this process for this row (the browser's processes), added to this process's own */
  readonly extraCpuMs?: number;
}

export interface LoadedModel {
  /**
   * Facts known only once the model is loaded, merged into the engine's facts (an endpoint says which
   * weights it serves once it has loaded them).
   */
  readonly details?: Readonly<Record<string, string | number | boolean>>;
  /**
   * Logits `[n, 10]` (row-major) for one batch. Time counted is everything a caller waits for: input in,
   * forward pass, logits back in JavaScript memory.
   */
  infer(batch: Batch): Promise<InferResult>;
  /** For a runner whose engine runs elsewhere: how long loading took there (replaces the harness's clock). */
  readonly loadMs?: number;
  /** For a runner whose engine runs elsewhere: its memory, read after every scenario. */
  memory?(): Promise<MeasuredMemory>;
  /**
   * Measurements the harness cannot take by timing `infer` (scenario `extras`), run after every other
   * scenario: `sample` is one image of the test slice, `budget` the profile's single-stream loop (run each
   * measurement that long), `testImages` the whole slice (28x28 bytes) and `soakRequests` the profile's soak size.
   */
  extraMeasurements?(context: {
    readonly sample: Batch;
    readonly budget: { readonly timeMs: number; readonly minIterations: number };
    readonly testImages: { readonly images: Uint8Array; readonly count: number };
    readonly soakRequests: number;
  }): Promise<readonly ExtraMeasurement[]>;
}

export interface Runner {
  /** Largest batch one `infer` call takes (an HTTP endpoint may take one image); unlimited when absent. */
  readonly maxBatch?: number;
  /**
   * Brings the engine up (imports it, initialises the backend). Throws `BackendUnavailableError` (from the
   * core) with a reason in words when it cannot run here: that becomes the row's "unavailable" reason.
   */
  init(): Promise<EngineFacts & { readonly measured?: MeasuredInit }>;
  /** Loads the weights: parse and upload, or create the inference session. */
  load(): Promise<LoadedModel>;
}

export type CreateRunner = (task: RunnerTask) => Runner;
