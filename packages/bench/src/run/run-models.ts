import { relative } from 'node:path';
import { DEFAULT_INPUT_SIZE, multiplyAdds, parameterCount } from '@nin-bench/core-nin';
import { int8ModelSource, type Int8Format, type Int8ModelSource } from '../int8-model.ts';
import type { Int8ModelInfo, ModelInfo, SizeWeightsInfo } from '../results/schema.ts';
import { readWeightsFile, sizeWeightsSource, type WeightsFile } from '../size-weights.ts';
import type { BenchRequest } from './request.ts';
import type { SizeClock } from './size-clock.ts';

/** A path as the results show it: relative to the working folder when it is inside it. */
const shown = (path: string) => (path.startsWith(process.cwd()) ? relative(process.cwd(), path) : path);

/**
 * The models a run measures and the results' `model` section about them. The bench's weights describe the run
 * (model, trained size); each size runs the weights trained for it when there are some beside them
 * (size-weights.ts), and the int8 model made from those.
 */
export class RunModels {
  /** the weights file each size runs */
  readonly weightsAt: (size: number) => Promise<WeightsFile>;
  /** the int8 model of a size and format: the request's, else made from the size's weights (once per file) */
  readonly int8Model: Int8ModelSource;
  /** the int8 models prepared, by format and size: the report gives each int8 row its own model's accuracy */
  readonly #int8: Record<Int8Format, Record<string, Int8ModelInfo>> = { 'onnx-int8': {}, 'tflite-int8': {} };
  readonly #weightsBySize: Record<string, SizeWeightsInfo> = {};
  readonly #multiplyAdds: Record<string, number> = {};

  private constructor(
    private readonly weightsPath: string,
    private readonly main: WeightsFile,
    int8Model: Int8ModelSource | undefined,
  ) {
    this.weightsAt = sizeWeightsSource(weightsPath);
    this.int8Model = int8Model ?? this.#int8FromWeights();
  }

  static async open(req: BenchRequest): Promise<RunModels> {
    return new RunModels(req.weightsPath, await readWeightsFile(req.weightsPath), req.int8Model);
  }

  /** the input size the bench's weights were trained at (their manifest's), else the model's default */
  get trainedSize(): number {
    return this.main.manifest?.inputSize ?? DEFAULT_INPUT_SIZE;
  }

  /** Reads which weights each size runs, for the results (each size's clock counts its own read). */
  async describeSizes(sizes: readonly number[], clock: SizeClock): Promise<void> {
    for (const size of sizes) {
      const w = await clock.time(size, () => this.weightsAt(size));
      this.#weightsBySize[String(size)] = {
        weightsFile: shown(w.path),
        sha256: w.sha256,
        trainedInputSize: w.manifest?.inputSize ?? null,
        manifestTestAccuracy: w.manifest?.accuracy?.test ?? null,
      };
      this.#multiplyAdds[String(size)] = multiplyAdds(size);
    }
  }

  /** An int8 model is ready: the results record where it came from and its accuracy. */
  recordInt8(format: Int8Format, size: number, info: Int8ModelInfo): void {
    this.#int8[format][String(size)] = info;
  }

  /** The results' `model` section as it stands. */
  info(): ModelInfo {
    const { manifest } = this.main;
    const onnx = this.#int8['onnx-int8'];
    const tflite = this.#int8['tflite-int8'];
    return {
      weightsFile: shown(this.weightsPath),
      sha256: this.main.sha256,
      trainedInputSize: manifest?.inputSize ?? null,
      storage: manifest?.storage ?? null,
      parameterCount: parameterCount(),
      manifestTestAccuracy: manifest?.accuracy?.test ?? null,
      multiplyAdds: { ...this.#multiplyAdds },
      weightsBySize: { ...this.#weightsBySize },
      ...(Object.keys(onnx).length ? { int8: { ...onnx } } : {}),
      ...(Object.keys(tflite).length ? { int8Tflite: { ...tflite } } : {}),
    };
  }

  #int8FromWeights(): Int8ModelSource {
    const sources = new Map<string, Int8ModelSource>();
    return async (size, format) => {
      const w = await this.weightsAt(size);
      let source = sources.get(w.path);
      if (!source) {
        source = int8ModelSource(w.path, w.stateDict, w.manifest);
        sources.set(w.path, source);
      }
      return source(size, format);
    };
  }
}
