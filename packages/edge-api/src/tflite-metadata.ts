// A `.tflite` model's `metadata` entries (`input_size`, `accuracy` as `nin eval --tflite F --record` writes it, the
// weights' manifest), read in the Worker without the core's reader: that one (`@nin-bench/core-nin/tflite`
// readTfliteMetadata) goes through the flatc-generated schema with its object API, which puts about 440 KiB of script
// into the bundle (40 KiB gzipped) for three fields. This walks the FlatBuffer for exactly those fields
// (Model.buffers, Model.metadata, Metadata.name/buffer, Buffer.data in LiteRT's schema.fbs); tflite-metadata.test.ts
// holds it equal to the core's reader.

/** What is wrong with bytes that are not a `.tflite` model this reader can read. */
export class TfliteMetadataError extends Error {
  override readonly name = 'TfliteMetadataError';
}

/** Field slots in LiteRT's schema.fbs (a table's n-th field, counting from 0). */
const MODEL_BUFFERS = 4;
const MODEL_METADATA = 6;
const METADATA_NAME = 0;
const METADATA_BUFFER = 1;
const BUFFER_DATA = 0;

/** The model's `metadata` entries, each one's buffer read as UTF-8 text (an empty or external buffer reads ''). */
export function readTfliteMetadataEntries(bytes: Uint8Array): Record<string, string> {
  if (bytes.byteLength < 8 || String.fromCharCode(...bytes.subarray(4, 8)) !== 'TFL3')
    throw new TfliteMetadataError('not a .tflite model (no TFL3 file identifier)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const inside = (at: number, size: number) => {
    if (at < 0 || at + size > bytes.byteLength) throw new TfliteMetadataError('truncated .tflite model');
    return at;
  };
  const u32 = (at: number) => view.getUint32(inside(at, 4), true);
  const u16 = (at: number) => view.getUint16(inside(at, 2), true);
  /** where field `slot` of the table at `table` lies, or null when the table does not have it */
  const field = (table: number, slot: number): number | null => {
    const vtable = table - view.getInt32(inside(table, 4), true);
    const entry = 4 + 2 * slot;
    if (entry >= u16(vtable)) return null;
    const offset = u16(vtable + entry);
    return offset === 0 ? null : table + offset;
  };
  const indirect = (at: number) => at + u32(at);
  /** the vector at field `slot`: its first element and its length */
  const vector = (table: number, slot: number): { start: number; length: number } => {
    const at = field(table, slot);
    if (at === null) return { start: 0, length: 0 };
    const vec = indirect(at);
    const length = u32(vec);
    return { start: inside(vec + 4, length), length };
  };
  const tableAt = (vec: { start: number }, i: number) => indirect(vec.start + 4 * i);
  const utf8 = new TextDecoder();
  const text = (vec: { start: number; length: number }) =>
    utf8.decode(bytes.subarray(vec.start, vec.start + vec.length));

  const model = u32(0);
  const buffers = vector(model, MODEL_BUFFERS);
  const metadata = vector(model, MODEL_METADATA);
  const entries: Record<string, string> = {};
  for (let i = 0; i < metadata.length; i++) {
    const entry = tableAt(metadata, i);
    const bufferField = field(entry, METADATA_BUFFER);
    const buffer = bufferField === null ? 0 : u32(bufferField);
    if (buffer >= buffers.length)
      throw new TfliteMetadataError(`metadata entry ${i} names buffer ${buffer} of ${buffers.length}`);
    entries[text(vector(entry, METADATA_NAME))] = text(vector(tableAt(buffers, buffer), BUFFER_DATA));
  }
  return entries;
}
