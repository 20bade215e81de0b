import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** The `metadata_props` key `nin eval --onnx F --record` writes: JSON `{ test, perClass, evaluatedOn }`. */
export const ONNX_ACCURACY_KEY = 'accuracy';

/** An ONNX model's `metadata_props` as a plain object (the int8 model's calibration and accuracy live there). */
export function readOnnxMetadata(model: Uint8Array): Record<string, string> {
  let decoded: onnxProto.onnx.ModelProto;
  try {
    decoded = onnx.ModelProto.decode(model);
  } catch (e) {
    throw new RangeError(`not an ONNX model (${(e as Error).message})`);
  }
  if (!decoded.graph) throw new RangeError('not an ONNX model (no graph)');
  return Object.fromEntries(decoded.metadataProps.map((p) => [p.key ?? '', p.value ?? '']));
}

/**
 * The same model with `entries` set in its `metadata_props` (replacing keys it already has, keeping their place);
 * the graph and its weights are decoded and re-encoded unchanged.
 */
export function withOnnxMetadata(model: Uint8Array, entries: Readonly<Record<string, string>>): Uint8Array {
  const decoded = onnx.ModelProto.decode(model);
  const props = decoded.metadataProps.map((p) => ({
    key: p.key,
    value: p.key && p.key in entries ? entries[p.key] : p.value,
  }));
  for (const [key, value] of Object.entries(entries)) if (!props.some((p) => p.key === key)) props.push({ key, value });
  decoded.metadataProps = props.map((p) => onnx.StringStringEntryProto.create(p));
  const bytes = onnx.ModelProto.encode(decoded).finish();
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
