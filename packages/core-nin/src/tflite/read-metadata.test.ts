// The schema-free reader against the flatc-generated schema's reading (readTflite), on the int8 model the project
// committed (`nin export-tflite --int8`, then `nin eval --tflite --record`) and on it with entries added afterwards.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { WEIGHTS_DIR } from '../node/weights-file.ts';
import { withTfliteMetadata } from './metadata.ts';
import { TFLITE_ACCURACY_KEY, TfliteMetadataError, readTfliteMetadata } from './read-metadata.ts';
import { readTflite } from './writer.ts';

/** The entries as the generated schema reads them: what read-metadata.ts must agree with. */
function schemaMetadata(bytes: Uint8Array): Record<string, string> {
  const model = readTflite(bytes);
  const utf8 = new TextDecoder();
  const entries: Record<string, string> = {};
  for (let i = 0; i < model.metadataLength(); i++) {
    const m = model.metadata(i)!;
    entries[m.name() ?? ''] = utf8.decode(model.buffers(m.buffer())?.dataArray() ?? new Uint8Array(0));
  }
  return entries;
}

describe('readTfliteMetadata (schema-free)', () => {
  let model: Uint8Array;
  beforeAll(async () => {
    model = new Uint8Array(await readFile(join(WEIGHTS_DIR, 'nin-fmnist-100.int8.tflite')));
  });

  it("reads every entry of an exported int8 model as the generated schema's reader does, byte for byte", () => {
    const schema = schemaMetadata(model);
    expect(Object.keys(schema)).toEqual(
      expect.arrayContaining(['input_size', 'classes', 'quantization', 'nin_manifest', TFLITE_ACCURACY_KEY]),
    );
    expect(readTfliteMetadata(model)).toEqual(schema);
    expect(readTfliteMetadata(model).input_size).toBe('100');
  });

  it('reads entries added to the file afterwards: non-ASCII text, a replaced accuracy and an empty one', () => {
    const accuracy = JSON.stringify({ test: 0.9012, evaluatedOn: 'test, 10000 images' });
    const recorded = withTfliteMetadata(model, { [TFLITE_ACCURACY_KEY]: accuracy, note: 'é ✓', empty: '' });
    expect(readTfliteMetadata(recorded)).toEqual(schemaMetadata(recorded));
    expect(readTfliteMetadata(recorded)).toMatchObject({ accuracy, note: 'é ✓', empty: '', input_size: '100' });
  });

  it('refuses bytes that are not a .tflite model, and a truncated one, with a TfliteMetadataError (a RangeError)', () => {
    expect(() => readTfliteMetadata(new Uint8Array([1, 2, 3]))).toThrow(TfliteMetadataError);
    expect(() => readTfliteMetadata(new TextEncoder().encode('not a model at all'))).toThrow(
      /^not a \.tflite model \(no "TFL3" file identifier\)$/,
    );
    expect(() => readTfliteMetadata(new TextEncoder().encode('1234TFL3'))).toThrow(/truncated \.tflite model/);
    expect(() => readTfliteMetadata(model.subarray(0, 64))).toThrow(TfliteMetadataError);
    expect(() => readTfliteMetadata(model.subarray(0, 64))).toThrow(RangeError);
  });
});
