/** The limits the endpoint states (README, `/model`) and enforces. */
export const EDGE_LIMITS = {
  /** request bodies above this are refused with 413 before they are read */
  maxBodyBytes: 1024 * 1024,
  /** images in one `{"images": [...]}` request */
  maxBatch: 16,
  /**
   * images per forward pass: a batch request runs its images one at a time. Workers cap an isolate's memory at
   * 128 MB, tfjs-backend-wasm's linear memory grows with the batch of a pass and never shrinks, and at 224 px
   * one pass over 16 images would take it to several hundred MB; on wasm one image at a time costs no
   * throughput (the committed bench run: tfjs wasm SIMD 27.6 images/s at batch 1 and at batch 8).
   */
  forwardBatch: 1,
  /** a PNG's width x height (checked from its header before decoding, so a small compressed bomb cannot blow memory) */
  maxPngPixels: 1024 * 1024,
  /** largest `?topk=` */
  maxTopK: 10,
  defaultTopK: 3,
} as const;

export type EdgeLimits = { -readonly [K in keyof typeof EDGE_LIMITS]: number };
