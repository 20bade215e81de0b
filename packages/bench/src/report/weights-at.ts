import type { BenchResults, SizeWeightsInfo } from '../results/schema.ts';

/** The weights a size ran: its own when the run found them (results format 2), else the run's weights. */
export function weightsAt(results: BenchResults, size: number): SizeWeightsInfo {
  return results.model.weightsBySize?.[String(size)] ?? results.model;
}

/** Whether a size ran weights trained for it that are not the run's main weights. */
export function ranOwnWeights(results: BenchResults, size: number): boolean {
  const w = weightsAt(results, size);
  return w.trainedInputSize === size && w.weightsFile !== results.model.weightsFile;
}

/** Whether the weights a size ran were trained at that size (or say nothing about it): top-1 is then an accuracy. */
export function trainedForSize(results: BenchResults, size: number): boolean {
  const trained = weightsAt(results, size).trainedInputSize;
  return trained === null || trained === size;
}
