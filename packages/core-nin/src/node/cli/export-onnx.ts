import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { NIN_ONNX_OPSET, encodeNinOnnx } from '../../onnx/export.ts';
import { MIN_INPUT_SIZE } from '../../model/architecture.ts';
import { writeFileAtomic } from '../atomic-write.ts';
import { readNinWeightsFile } from '../weights-file.ts';
import { CliUsageError, type CliCommand } from './command.ts';

const USAGE = `usage: nin export-onnx --weights F.safetensors --out F.onnx [--size N] [--batch N|dynamic]

  --weights F   NiN weights (safetensors; float32, float16 or int8 are dequantised to float32)
  --out F       where to write the ONNX model (written to a temporary file, then renamed)
  --size N      input side in pixels (default: the manifest's inputSize; required for files without one)
  --batch B     a fixed batch size, or "dynamic" (default) for a symbolic batch dimension

The model takes "input" float32 [N, 1, S, S] in [0,1] (see metadata_props "preprocessing") and returns
"logits" [N, 10]; ONNX opset ${NIN_ONNX_OPSET}.`;

function positiveInteger(flag: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new CliUsageError(`${flag} must be a positive integer, got "${text}"`);
  return Number(text);
}

export const command: CliCommand = {
  summary: 'Export the NiN with its weights as an ONNX model (for onnxruntime and other engines)',
  usage: USAGE,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { weights: { type: 'string' }, out: { type: 'string' }, size: { type: 'string' }, batch: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    });
    if (!values.weights) throw new CliUsageError('--weights is required');
    if (!values.out) throw new CliUsageError('--out is required');
    const batch = values.batch === undefined || values.batch === 'dynamic' ? 'dynamic' : positiveInteger('--batch', values.batch);
    const requestedSize = values.size === undefined ? undefined : positiveInteger('--size', values.size);
    if (requestedSize !== undefined && requestedSize < MIN_INPUT_SIZE) throw new CliUsageError(`--size must be at least ${MIN_INPUT_SIZE} for NiN, got ${requestedSize}`);

    const { stateDict, manifest } = await readNinWeightsFile(values.weights);
    const inputSize = requestedSize ?? manifest?.inputSize;
    if (inputSize === undefined) throw new CliUsageError(`${values.weights} has no nin-bench manifest to take the input size from: pass --size`);

    // The manifest travels along, so an ONNX file can be traced back to its weights, recipe and accuracy.
    const metadata: Record<string, string> = manifest ? { nin_manifest: JSON.stringify(manifest) } : {};
    const bytes = encodeNinOnnx(stateDict, { inputSize, batch, metadata });
    const out = resolve(values.out);
    // atomic: a crash never leaves a half-written model under the final name
    await writeFileAtomic(out, bytes);
    const n = batch === 'dynamic' ? 'batch' : batch;
    console.log(
      `wrote ${values.out} (${(bytes.byteLength / 1e6).toFixed(2)} MB, ONNX opset ${NIN_ONNX_OPSET}): ` +
        `input [${n}, 1, ${inputSize}, ${inputSize}] -> logits [${n}, 10]` +
        (manifest ? `, ${manifest.storage} weights` : ', weights without a manifest'),
    );
    return 0;
  },
};
