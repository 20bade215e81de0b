import type { LoadedModel } from './runner.ts';

/** How an int8 row's model is described among the engine facts (its declared model `onnx-int8`: the harness hands it the int8 export). */
export const INT8_MODEL = 'int8 QDQ (nin export-onnx --int8: int8 per-channel weights, uint8 activations)';

/**
 * What onnxruntime-node and onnxruntime-web share (both re-export onnxruntime-common's API): a float32 tensor
 * constructor and a session that maps named inputs to named outputs.
 */
interface OrtTensorApi<T> {
  readonly Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => T;
}
interface OrtSession<T> {
  run(feeds: Record<string, T>): Promise<Record<string, { readonly data: unknown }>>;
}

/**
 * The loaded model of an ONNX Runtime session on the exported NiN (input `input` NCHW [N,1,S,S], output
 * `logits` [N,10]): one channel, so the core's NHWC input is already NCHW.
 */
export function onnxSessionModel<T>(ort: OrtTensorApi<T>, session: OrtSession<T>, size: number): LoadedModel {
  return {
    async infer(batch) {
      const input = new ort.Tensor('float32', batch.input, [batch.n, 1, size, size]);
      const out = await session.run({ input });
      return out.logits.data as Float32Array;
    },
  };
}
