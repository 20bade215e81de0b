import { knownFailures, lazyCommand, runCli, type Cli } from '../cli-args.ts';

// Each command lives in its own file and is loaded only when asked for, so `nin predict` never pays for
// training code (or the other way round). The literal import paths are what gpu-kit/bundle.mjs looks for.
export const NIN_COMMANDS: Cli['commands'] = {
  predict: lazyCommand('Classify PNG images or IDX image files with the trained NiN', () => import('./predict.ts')),
  eval: lazyCommand('Accuracy of the NiN on the Fashion-MNIST test set', () => import('./eval.ts')),
  'export-onnx': lazyCommand(
    'Export the NiN with its weights as an ONNX model, float32 or calibrated int8 (for onnxruntime and other engines)',
    () => import('./export-onnx.ts'),
  ),
  'export-tflite': lazyCommand(
    'Export the NiN with its weights as a .tflite model, float32 or calibrated int8 (for LiteRT and LiteRT.js)',
    () => import('./export-tflite.ts'),
  ),
  train: lazyCommand(
    'Train NiN on Fashion-MNIST (resumable; writes weights with a manifest, an epoch log and a curve)',
    () => import('./train.ts'),
  ),
};

/** Known failures (bad input, missing backend, corrupt file) print one clear line; anything else a stack. */
export const NIN_FAILURES = knownFailures({
  names: [
    'WeightsError',
    'IdxFormatError',
    'ImageDecodeError',
    'BackendUnavailableError',
    'DatasetError',
    'RangeError',
  ],
  // A path that cannot be read is the user's input, not a bug: say which and why.
  codes: ['ENOENT', 'EISDIR', 'EACCES', 'ENOTDIR'],
});

export function main(argv: string[]): Promise<number> {
  return runCli({ name: 'nin', commands: NIN_COMMANDS, knownFailures: NIN_FAILURES }, argv);
}
