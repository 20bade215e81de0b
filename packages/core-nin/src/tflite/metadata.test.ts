import { describe, expect, it } from 'vitest';
import { signalPreservingStateDict } from '../../test/parity/fixtures.ts';
import { encodeNinTflite } from './export.ts';
import { TFLITE_ACCURACY_KEY, readTfliteMetadata, withTfliteMetadata } from './metadata.ts';

const stateDict = signalPreservingStateDict(3);

describe('.tflite metadata', () => {
  it('reads the entries back as text, and rejects bytes that are not a .tflite model', () => {
    const meta = readTfliteMetadata(encodeNinTflite(stateDict, { inputSize: 67, metadata: { note: 'ü ✓' } }));
    expect(meta).toMatchObject({ input_size: '67', note: 'ü ✓' });
    expect(() => readTfliteMetadata(new TextEncoder().encode('not a model at all'))).toThrow(
      /not a \.tflite model \(no "TFL3" file identifier\)/,
    );
    expect(() => readTfliteMetadata(new Uint8Array(3))).toThrow(RangeError);
  });

  it('sets entries and keeps everything else: the same bytes as writing them in the first place', () => {
    const accuracy = JSON.stringify({ test: 0.9, evaluatedOn: 'test' });
    const metadata = { nin_manifest: '{"storage":"float32"}', calibration: '{"old":true}' };
    const written = encodeNinTflite(stateDict, { inputSize: 67, metadata });
    const recorded = withTfliteMetadata(written, { [TFLITE_ACCURACY_KEY]: accuracy, calibration: '{"new":true}' });
    const expected = encodeNinTflite(stateDict, {
      inputSize: 67,
      metadata: { ...metadata, calibration: '{"new":true}', [TFLITE_ACCURACY_KEY]: accuracy },
    });
    // an existing key keeps its place, a new one comes last: byte for byte what the writer makes of that metadata
    expect(Object.keys(readTfliteMetadata(recorded)).slice(-3)).toEqual(['nin_manifest', 'calibration', 'accuracy']);
    expect(recorded.byteLength).toBe(expected.byteLength);
    expect(Buffer.compare(recorded, expected)).toBe(0);
  });
});
