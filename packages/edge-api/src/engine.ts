// The edge's inference engines: which one a Worker build runs (EDGE_ENGINE) and how /health and /model name it.
// No runtime imports: the Node scripts, both Worker entries and the app share it.

/**
 * The engines a Worker build can run (EDGE_ENGINE): tfjs is the design card's, onnxruntime-int8 computes in int8 on
 * onnxruntime-web, litert-int8 in int8 on LiteRT.js (XNNPACK, relaxed SIMD).
 */
export const EDGE_ENGINES = ['tfjs', 'onnxruntime-int8', 'litert-int8'] as const;
export type EdgeEngineName = (typeof EDGE_ENGINES)[number];

/** Which engine answers, as `/health` and `/model` name it. */
export interface EdgeEngineInfo {
  readonly name: EdgeEngineName;
  /** the library and how it runs, e.g. `tfjs-backend-wasm (SIMD, 1 thread)` */
  readonly runtime: string;
  /** the arithmetic of the forward pass */
  readonly compute: string;
  /** the model file's format */
  readonly modelFormat: 'safetensors' | 'onnx' | 'tflite';
}
