import type { AccuracyReport } from '../../training/evaluate.ts';
import type { EpochRecord } from '../../training/trainer.ts';
import { disposeParams, paramsFromStateDict } from '../../model/params.ts';
import { decodeNinWeights, encodeNinWeights, type StateDict } from '../../weights/state-dict.ts';
import { writeNinWeightsFile } from '../weights-file.ts';
import { evaluateOnTest } from './evaluate-step.ts';
import { weightsDescription } from './run-records.ts';
import type { RunProgress, TrainingSession } from './session.ts';

/**
 * The weights after a tested epoch, with their manifest (`accuracy` is the float32 weights' own), and with
 * `options.int8` an int8 copy tested on its own.
 */
export async function writeEpochWeights(
  session: TrainingSession,
  progress: RunProgress,
  record: EpochRecord,
  accuracy: AccuracyReport,
): Promise<void> {
  const { trainer, paths, log } = session;
  await writeNinWeightsFile(
    paths.weights,
    await trainer.stateDict(),
    'float32',
    weightsDescription(session, record, accuracy, 'float32'),
  );
  progress.wroteWeights = true;
  log(`  wrote ${paths.weights}`);
  if (session.options.int8) {
    await writeInt8Weights(session, record);
    progress.wroteInt8 = true;
  }
}

/** The int8 copy, tested on its own (dequantised) weights so its manifest states its own accuracy. */
async function writeInt8Weights(session: TrainingSession, record: EpochRecord): Promise<void> {
  const { trainer, recipe, paths, log } = session;
  const stateDict: StateDict = await trainer.stateDict();
  const { stateDict: dequantised } = await decodeNinWeights(
    await encodeNinWeights(stateDict, 'int8', { inputSize: recipe.inputSize }),
  );
  const params = paramsFromStateDict(dequantised);
  try {
    const accuracy = await evaluateOnTest(session, 'test (int8)', params);
    await writeNinWeightsFile(paths.int8, stateDict, 'int8', weightsDescription(session, record, accuracy, 'int8'));
    log(`  wrote ${paths.int8} (int8 test accuracy ${accuracy.accuracy.toFixed(4)})`);
  } finally {
    disposeParams(params);
  }
}
