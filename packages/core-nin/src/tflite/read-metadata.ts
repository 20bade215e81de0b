// A `.tflite` model's `metadata` entries (`input_size`, `quantization`, `accuracy` as `nin eval --tflite F --record`
// writes it, the weights' manifest), read by walking the FlatBuffer for exactly those fields: Model.buffers,
// Model.metadata, Metadata.name/buffer and Buffer.data in LiteRT's schema.fbs. Why not the flatc-generated schema
// (./schema): a Worker that only reads these entries would bundle its ~440 KiB of script (40 KiB gzipped) for three
// fields. Worker-safe and schema-free: `@nin-bench/core-nin/tflite/read-metadata`. read-metadata.test.ts holds it
// equal to the generated reader's reading.

/** Bytes 4-7 of every `.tflite` file: writer.ts's TFLITE_FILE_IDENTIFIER, not imported since writer.ts loads the schema. */
const TFLITE_FILE_IDENTIFIER = 'TFL3';

/** The `metadata` entry `nin eval --tflite F --record` writes: JSON `{ test, perClass, evaluatedOn }`, as in ONNX. */
export const TFLITE_ACCURACY_KEY = 'accuracy';

/** What is wrong with bytes that are not a `.tflite` model this reader can read (a RangeError, as readTflite's). */
export class TfliteMetadataError extends RangeError {
  override readonly name = 'TfliteMetadataError';
}

/** Field slots in LiteRT's schema.fbs (a table's n-th field, counting from 0). */
const MODEL_BUFFERS = 4;
const MODEL_METADATA = 6;
const METADATA_NAME = 0;
const METADATA_BUFFER = 1;
const BUFFER_DATA = 0;

/** A vector in the FlatBuffer: where its first element lies and how many it has. */
interface VectorAt {
  readonly start: number;
  readonly length: number;
}

/** Bounds-checked little-endian reads of a FlatBuffer's tables and vectors. */
class FlatBufferWalker {
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private inside(at: number, size: number): number {
    if (at < 0 || at + size > this.bytes.byteLength) throw new TfliteMetadataError('truncated .tflite model');
    return at;
  }

  u32(at: number): number {
    return this.view.getUint32(this.inside(at, 4), true);
  }

  private u16(at: number): number {
    return this.view.getUint16(this.inside(at, 2), true);
  }

  /** where field `slot` of the table at `table` lies, or null when the table does not have it */
  field(table: number, slot: number): number | null {
    const vtable = table - this.view.getInt32(this.inside(table, 4), true);
    const entry = 4 + 2 * slot;
    if (entry >= this.u16(vtable)) return null;
    const offset = this.u16(vtable + entry);
    return offset === 0 ? null : table + offset;
  }

  private indirect(at: number): number {
    return at + this.u32(at);
  }

  /** the vector at field `slot` of a table (empty when the table does not have it) */
  vector(table: number, slot: number): VectorAt {
    const at = this.field(table, slot);
    if (at === null) return { start: 0, length: 0 };
    const vec = this.indirect(at);
    const length = this.u32(vec);
    return { start: this.inside(vec + 4, length), length };
  }

  /** the i-th table of a vector of tables */
  tableAt(vec: VectorAt, i: number): number {
    return this.indirect(vec.start + 4 * i);
  }

  bytesOf(vec: VectorAt): Uint8Array {
    return this.bytes.subarray(vec.start, vec.start + vec.length);
  }
}

const utf8 = new TextDecoder();

/**
 * The model's `metadata` entries, each one's buffer read as UTF-8 text (an empty or external buffer reads '').
 * TfliteMetadataError (a RangeError) when the bytes are not a `.tflite` model or are cut short.
 */
export function readTfliteMetadata(bytes: Uint8Array): Record<string, string> {
  if (bytes.byteLength < 8 || String.fromCharCode(...bytes.subarray(4, 8)) !== TFLITE_FILE_IDENTIFIER)
    throw new TfliteMetadataError(`not a .tflite model (no "${TFLITE_FILE_IDENTIFIER}" file identifier)`);
  const walker = new FlatBufferWalker(bytes);
  const model = walker.u32(0);
  const buffers = walker.vector(model, MODEL_BUFFERS);
  const metadata = walker.vector(model, MODEL_METADATA);
  const entries: Record<string, string> = {};
  for (let i = 0; i < metadata.length; i++) {
    const entry = walker.tableAt(metadata, i);
    const bufferField = walker.field(entry, METADATA_BUFFER);
    const buffer = bufferField === null ? 0 : walker.u32(bufferField);
    if (buffer >= buffers.length)
      throw new TfliteMetadataError(`metadata entry ${i} names buffer ${buffer} of ${buffers.length}`);
    const name = utf8.decode(walker.bytesOf(walker.vector(entry, METADATA_NAME)));
    entries[name] = utf8.decode(walker.bytesOf(walker.vector(walker.tableAt(buffers, buffer), BUFFER_DATA)));
  }
  return entries;
}
