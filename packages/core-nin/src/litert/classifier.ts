import { WeightsError } from '../weights/errors.ts';
import type { LiteRtRuntime, LiteRtWasm } from './runtime.ts';

type CompiledModel = Awaited<ReturnType<LiteRtWasm['compileModel']>>;
type TensorBuffer = ReturnType<LiteRtWasm['LiteRtTensorBuffer']['createManaged']>;
type RankedTensorType = ReturnType<LiteRtWasm['LiteRtRankedTensorType']['create']>;

/** LiteRT's element type FLOAT32 (litert::ElementType). */
const FLOAT32 = 1;

/**
 * An image classifier from a `.tflite` model with one float32 input `[B, S, S, 1]` (NHWC: preprocessed gray
 * images, the layout `preprocessImages` writes) and one float32 output `[B, classes]` (logits), run by LiteRT on
 * the CPU (XNNPACK) on one thread. An int8 model takes and gives float32 too (QUANTIZE in, DEQUANTIZE out).
 */
export interface LiteRtClassifier {
  readonly runtime: LiteRtRuntime;
  /** S: the side of the square input */
  readonly inputSize: number;
  /** B: images per run of the model (the NiN `.tflite` models take one) */
  readonly modelBatch: number;
  readonly numClasses: number;
  /** logits `[n, classes]` (row-major) for `n` preprocessed images `[n, S, S, 1]`, run B at a time */
  logits(input: Float32Array, n: number): Promise<Float32Array>;
  /** frees the model and its buffers in the runtime (the runtime stays) */
  dispose(): void;
}

function dimensions(type: RankedTensorType): number[] {
  const layout = type.layout();
  const vector = layout.dimensions();
  const dims = Array.from({ length: vector.size() }, (_, i) => vector.get(i));
  vector.delete();
  layout.delete();
  return dims;
}

function isFloat32(type: RankedTensorType): boolean {
  return type.elementType().value === FLOAT32;
}

/** Copies `length` float32 values between a host tensor buffer and `array` while the buffer is locked. */
function withLocked(wasm: LiteRtWasm, buffer: TensorBuffer, write: boolean, use: (view: Float32Array) => void): void {
  const { READ, WRITE } = wasm.LiteRtTensorBufferLockMode;
  const pointer = buffer.lock(write ? WRITE : READ);
  try {
    // HEAPU8 is replaced when the memory grows: read it after the lock, which may allocate
    use(new Float32Array(wasm.HEAPU8.buffer, pointer, buffer.packedSize() / 4));
  } finally {
    buffer.unlock();
  }
}

/**
 * Loads and compiles a `.tflite` model into `runtime` for the CPU, one thread. Throws WeightsError when LiteRT
 * cannot read the bytes or the model is not an image classifier of the shape above.
 */
export async function loadLiteRtClassifier(runtime: LiteRtRuntime, tflite: Uint8Array): Promise<LiteRtClassifier> {
  const { wasm, environment } = runtime;
  // LiteRT keeps pointing at the model's bytes while the model lives: they stay in the wasm heap until dispose.
  const bytes = wasm._malloc(tflite.byteLength);
  wasm.HEAPU8.set(tflite, bytes);
  const owned: { delete(): void }[] = [];
  const free = () => {
    for (const object of owned.reverse()) object.delete();
    wasm._free(bytes);
  };
  try {
    let model: ReturnType<LiteRtWasm['loadModel']>;
    try {
      model = wasm.loadModel(environment, bytes, tflite.byteLength);
    } catch (e) {
      throw new WeightsError(`LiteRT cannot read this .tflite model (${(e as Error).message ?? e})`);
    }
    owned.push(model);
    const signature = model.getSignature(0);
    const [inputs, outputs] = [signature.inputNames(), signature.outputNames()];
    const counts = [inputs.size(), outputs.size()];
    inputs.delete();
    outputs.delete();
    signature.delete();
    if (counts[0] !== 1 || counts[1] !== 1)
      throw new WeightsError(`expected a model with one input and one output, got ${counts[0]} and ${counts[1]}`);
    const inputType = model.getInputTensorType(0, 0);
    owned.push(inputType);
    const outputType = model.getOutputTensorType(0, 0);
    const [input, output, outputFloat] = [dimensions(inputType), dimensions(outputType), isFloat32(outputType)];
    outputType.delete();
    const [batch, height, width, channels] = input;
    if (!isFloat32(inputType) || input.length !== 4 || height !== width || channels !== 1)
      throw new WeightsError(`expected a float32 input [B, S, S, 1], got [${input.join(', ')}]`);
    if (!outputFloat || output.length !== 2 || output[0] !== batch)
      throw new WeightsError(`expected a float32 output [${batch}, classes], got [${output.join(', ')}]`);
    let compiled: CompiledModel;
    try {
      compiled = await wasm.compileModel(environment, model, {
        accelerator: 'wasm',
        cpuOptions: { numThreads: 1 },
        gpuOptions: {},
        webNNOptions: {},
      } as Parameters<LiteRtWasm['compileModel']>[2]);
    } catch (e) {
      throw new WeightsError(`LiteRT cannot compile this .tflite model (${(e as Error).message ?? e})`);
    }
    owned.push(compiled);
    const inputBuffer = wasm.LiteRtTensorBuffer.createManaged(
      environment,
      wasm.LiteRtTensorBufferType.HOST_MEMORY,
      inputType,
      inputType.bytes(),
    );
    owned.push(inputBuffer);
    return classifier(runtime, compiled, inputBuffer, { batch, size: height, classes: output[1] }, free);
  } catch (e) {
    free();
    throw e;
  }
}

function classifier(
  runtime: LiteRtRuntime,
  compiled: CompiledModel,
  inputBuffer: TensorBuffer,
  shape: { batch: number; size: number; classes: number },
  free: () => void,
): LiteRtClassifier {
  const { wasm } = runtime;
  const { batch, size, classes } = shape;
  const side = size * size;
  let disposed = false;
  return {
    runtime,
    inputSize: size,
    modelBatch: batch,
    numClasses: classes,
    async logits(images, n) {
      if (disposed) throw new Error('this LiteRT classifier has been disposed of');
      if (!(Number.isInteger(n) && n >= 0) || images.length !== n * side)
        throw new RangeError(`expected ${n}x${size}x${size}x1 input values, got ${images.length}`);
      const logits = new Float32Array(n * classes);
      for (let start = 0; start < n; start += batch) {
        const m = Math.min(batch, n - start);
        withLocked(wasm, inputBuffer, true, (view) => {
          view.set(images.subarray(start * side, (start + m) * side));
          view.fill(0, m * side);
        });
        const outputs = await compiled.run(0, [inputBuffer]);
        try {
          withLocked(wasm, outputs[0], false, (view) => logits.set(view.subarray(0, m * classes), start * classes));
        } finally {
          for (const output of outputs) output.delete();
        }
      }
      return logits;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      free();
    },
  };
}
