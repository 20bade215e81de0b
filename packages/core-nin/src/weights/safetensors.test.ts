import { describe, expect, it } from 'vitest';
import { WeightsError } from './errors.ts';
import { parseSafetensors, serializeSafetensors } from './safetensors.ts';

const f32 = (...v: number[]) => new Uint8Array(new Float32Array(v).buffer);

/** A file with a hand-written header, to reach states the writer never produces. */
function rawFile(header: unknown, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('safetensors', () => {
  it('round-trips tensors of several dtypes and the metadata, with an 8-byte aligned data section', () => {
    const file = serializeSafetensors(
      [
        { name: 'a', dtype: 'F32', shape: [2], bytes: f32(1.5, -2) },
        { name: 'b', dtype: 'I8', shape: [3], bytes: new Uint8Array([1, 255, 7]) },
        { name: 'c', dtype: 'F16', shape: [1, 1], bytes: new Uint8Array([0x00, 0x3c]) },
      ],
      { k: 'v' },
    );
    const headerLength = Number(new DataView(file.buffer).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    const parsed = parseSafetensors(file);
    expect([...parsed.tensors.keys()]).toEqual(['a', 'b', 'c']);
    expect(parsed.metadata).toEqual({ k: 'v' });
    expect(new Float32Array(parsed.tensors.get('a')!.bytes.slice().buffer)).toEqual(new Float32Array([1.5, -2]));
    expect(parsed.tensors.get('b')).toMatchObject({ dtype: 'I8', shape: [3] });
    expect(Array.from(parsed.tensors.get('c')!.bytes)).toEqual([0x00, 0x3c]);
    expect(parsed.data.byteLength).toBe(8 + 3 + 2);
  });

  it('refuses to write a tensor whose bytes do not fit its shape', () => {
    expect(() => serializeSafetensors([{ name: 'w', dtype: 'F32', shape: [3], bytes: f32(1, 2) }])).toThrow(
      'tensor "w": 8 bytes given, 12 expected',
    );
  });

  const bad: [string, Uint8Array, RegExp][] = [
    ['a file shorter than the length prefix', new Uint8Array(5), /5 bytes, the 8-byte header length is missing/],
    [
      'garbage (an implausible header length)',
      new TextEncoder().encode('<html>not weights</html>'),
      /header length \d+ at byte 0 is implausible/,
    ],
    [
      'a header that runs past the end',
      rawFile({ a: 1 }, new Uint8Array()).subarray(0, 12),
      /the header needs bytes 8\.\.15 but the file has 12/,
    ],
    [
      'a header that is not JSON',
      rawFile('{"a": nope}', new Uint8Array()),
      /corrupt safetensors header \(bytes 8\.\.19\)/,
    ],
    ['a header that is not an object', rawFile('[1,2]', new Uint8Array()), /not a JSON object/],
    [
      'an unknown dtype',
      rawFile({ w: { dtype: 'Q4', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)),
      /tensor "w": unknown dtype "Q4"/,
    ],
    [
      'a negative dimension',
      rawFile({ w: { dtype: 'U8', shape: [-1], data_offsets: [0, 1] } }, new Uint8Array(1)),
      /tensor "w": bad shape \[-1\]/,
    ],
    [
      'offsets that disagree with the shape',
      rawFile({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)),
      /tensor "w": F32\[2\] needs 8 bytes but data_offsets span 4/,
    ],
    [
      'reversed offsets',
      rawFile({ w: { dtype: 'U8', shape: [0], data_offsets: [4, 0] } }, new Uint8Array(4)),
      /tensor "w": bad data_offsets \[4,0\]/,
    ],
    [
      'a tensor past the end (truncated file)',
      rawFile({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, new Uint8Array(10)),
      /truncated safetensors file: tensor "w" needs bytes \d+\.\.\d+ but the file ends at byte \d+/,
    ],
    [
      'a gap between tensors',
      rawFile({ w: { dtype: 'U8', shape: [1], data_offsets: [1, 2] } }, new Uint8Array(2)),
      /tensor "w" starts at data byte 1, expected 0/,
    ],
    [
      'bytes after the last tensor',
      rawFile({ w: { dtype: 'U8', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(3)),
      /2 unexplained bytes after the last tensor \(file offset \d+\)/,
    ],
    ['non-string metadata', rawFile({ __metadata__: { n: 1 } }, new Uint8Array()), /metadata "n" is not a string/],
  ];
  it.each(bad)('rejects %s with a WeightsError naming the tensor or offset', (_, bytes, message) => {
    expect(() => parseSafetensors(bytes)).toThrow(WeightsError);
    expect(() => parseSafetensors(bytes)).toThrow(message);
  });

  it('reads a file that was cut anywhere as an error, never as a smaller file', () => {
    const file = serializeSafetensors([{ name: 'w', dtype: 'F32', shape: [8], bytes: f32(1, 2, 3, 4, 5, 6, 7, 8) }], {
      m: 'x',
    });
    for (let cut = 0; cut < file.length; cut++)
      expect(() => parseSafetensors(file.subarray(0, cut))).toThrow(WeightsError);
  });
});
