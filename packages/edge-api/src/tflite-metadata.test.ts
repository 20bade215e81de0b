// The Worker's slim `.tflite` metadata reader against the core's (the flatc-generated schema's), on models the core's
// writer makes: the NiN as `nin export-tflite` writes it, and with entries added as `nin eval --tflite --record` does.
import { beforeAll, describe, expect, it } from 'vitest';
import { readNinWeightsFile } from '@nin-bench/core-nin/node';
import { encodeNinTflite, readTfliteMetadata, withTfliteMetadata } from '@nin-bench/core-nin/tflite';
import { trainedWeightsPath } from './node/edge-weights.ts';
import { TfliteMetadataError, readTfliteMetadataEntries } from './tflite-metadata.ts';

describe('readTfliteMetadataEntries', () => {
  let model: Uint8Array;
  beforeAll(async () => {
    const { stateDict } = await readNinWeightsFile(trainedWeightsPath('float32', 96));
    model = encodeNinTflite(stateDict, { inputSize: 96, metadata: { nin_manifest: '{"x":"é ✓"}' } });
  });

  it("reads every entry the core's reader reads, byte for byte", () => {
    const core = readTfliteMetadata(model);
    expect(Object.keys(core)).toEqual(expect.arrayContaining(['input_size', 'classes', 'nin_manifest']));
    expect(readTfliteMetadataEntries(model)).toEqual(core);
  });

  it('reads an entry added to the file afterwards (the recorded accuracy), and an empty one', () => {
    const accuracy = JSON.stringify({ test: 0.9012, evaluatedOn: 'test, 10000 images' });
    const recorded = withTfliteMetadata(model, { accuracy, empty: '' });
    expect(readTfliteMetadataEntries(recorded)).toEqual(readTfliteMetadata(recorded));
    expect(readTfliteMetadataEntries(recorded)).toMatchObject({ accuracy, empty: '', input_size: '96' });
  });

  it('refuses bytes that are not a .tflite model, and a truncated one, with a TfliteMetadataError', () => {
    expect(() => readTfliteMetadataEntries(new Uint8Array([1, 2, 3]))).toThrow(TfliteMetadataError);
    expect(() => readTfliteMetadataEntries(new TextEncoder().encode('1234TFL3'))).toThrow(/truncated \.tflite model/);
    expect(() => readTfliteMetadataEntries(model.subarray(0, 64))).toThrow(TfliteMetadataError);
  });
});
