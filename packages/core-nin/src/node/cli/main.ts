import { knownFailures, runCli, type Cli, type Command } from '../cli-args.ts';

// Each command lives in its own file and is loaded only when asked for, so `nin predict` never pays for
// training code (or the other way round). The literal import paths are what gpu-kit/bundle.mjs looks for.
export const NIN_COMMANDS: Cli['commands'] = {
  predict: {
    summary: 'Classify PNG images or IDX image files with the trained NiN',
    load: async () => (await import('./predict.ts')).command as Command,
  },
  eval: {
    summary: 'Accuracy of the NiN on the Fashion-MNIST test set',
    load: async () => (await import('./eval.ts')).command as Command,
  },
  'export-onnx': {
    summary:
      'Export the NiN with its weights as an ONNX model, float32 or calibrated int8 (for onnxruntime and other engines)',
    load: async () => (await import('./export-onnx.ts')).command as Command,
  },
  'export-tflite': {
    summary:
      'Export the NiN with its weights as a .tflite model, float32 or calibrated int8 (for LiteRT and LiteRT.js)',
    load: async () => (await import('./export-tflite.ts')).command as Command,
  },
  train: {
    summary: 'Train NiN on Fashion-MNIST (resumable; writes weights with a manifest, an epoch log and a curve)',
    load: async () => (await import('./train.ts')).command as Command,
  },
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
