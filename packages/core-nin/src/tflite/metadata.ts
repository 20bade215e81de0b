// A `.tflite` model's `metadata` entries, read (read-metadata.ts) and rewritten (what `nin eval --tflite F --record`
// does with the measured accuracy). Worker-safe: no Node built-ins.
import { BuiltinOptions2, QuantizationDetails, type Model } from './schema/schema_generated.ts';
import { readTflite, writeTflite, type TfliteOperator, type TfliteTensor } from './writer.ts';

// Reading needs no schema (read-metadata.ts walks the FlatBuffer itself), so the Worker can import it alone.
export { TFLITE_ACCURACY_KEY, TfliteMetadataError, readTfliteMetadata } from './read-metadata.ts';

function bufferBytes(model: Model, index: number): Uint8Array {
  return model.buffers(index)?.dataArray() ?? new Uint8Array(0);
}

/** Throws the reason a model is more than this rewriter carries over (never the case for `nin export-tflite`'s). */
function unsupported(why: string): never {
  throw new RangeError(`cannot rewrite this .tflite model's metadata: ${why} (only single-graph models are rewritten)`);
}

/**
 * The same model with `entries` set in its `metadata` (replacing keys it already has, keeping their place). The
 * graph, its weights and every other entry are carried over as they are; only a single-graph model without
 * sparse tensors, custom ops or external buffers (what `encodeNinTflite` writes) can be rewritten.
 */
export function withTfliteMetadata(bytes: Uint8Array, entries: Readonly<Record<string, string>>): Uint8Array {
  const model = readTflite(bytes);
  if (model.subgraphsLength() !== 1) unsupported(`${model.subgraphsLength()} subgraphs`);
  if (model.externalBuffersLength() > 0 || model.externalBufferGroupsLength() > 0) unsupported('external buffers');
  const graph = model.subgraphs(0)!;

  const tensors: TfliteTensor[] = [];
  for (let i = 0; i < graph.tensorsLength(); i++) {
    const t = graph.tensors(i)!;
    if (t.sparsity() || t.variantTensorsLength() > 0) unsupported(`tensor ${t.name()} is sparse or a variant`);
    const buffer = model.buffers(t.buffer());
    if (buffer && buffer.offset() > 0n) unsupported(`tensor ${t.name()} keeps its data outside the flatbuffer`);
    const q = t.quantization();
    if (q && q.detailsType() !== QuantizationDetails.NONE)
      unsupported(`tensor ${t.name()} has custom or blockwise quantization`);
    const data = t.buffer() > 0 ? bufferBytes(model, t.buffer()) : undefined;
    tensors.push({
      name: t.name() ?? '',
      shape: [...(t.shapeArray() ?? [])],
      type: t.type(),
      ...(data && data.byteLength > 0 ? { data } : {}),
      ...(q && q.scaleLength() > 0
        ? {
            quantization: {
              scale: [...q.scaleArray()!],
              zeroPoint: Array.from({ length: q.zeroPointLength() }, (_, z) => Number(q.zeroPoint(z))),
              quantizedDimension: q.quantizedDimension(),
            },
          }
        : {}),
    });
  }

  const operators: TfliteOperator[] = [];
  for (let i = 0; i < graph.operatorsLength(); i++) {
    const o = graph.operators(i)!;
    const code = model.operatorCodes(o.opcodeIndex())!;
    if (code.customCode() !== null || o.customOptionsLength() > 0) unsupported('a custom op');
    if (o.builtinOptions2Type() !== BuiltinOptions2.NONE) unsupported('an op with builtin_options_2');
    // the generated object API reads the op's options table back and writes it anew
    const options = o.unpack().builtinOptions;
    operators.push({
      op: code.builtinCode(),
      version: code.version(),
      inputs: [...(o.inputsArray() ?? [])],
      outputs: [...(o.outputsArray() ?? [])],
      ...(options ? { options: { type: o.builtinOptionsType(), write: (builder) => options.pack(builder) } } : {}),
    });
  }

  const metadata: Record<string, string | Uint8Array> = {};
  for (let i = 0; i < model.metadataLength(); i++) {
    const m = model.metadata(i)!;
    metadata[m.name() ?? ''] = bufferBytes(model, m.buffer());
  }
  Object.assign(metadata, entries);
  return writeTflite({
    description: model.description() ?? '',
    tensors,
    operators,
    inputs: [...(graph.inputsArray() ?? [])],
    outputs: [...(graph.outputsArray() ?? [])],
    metadata,
  });
}
