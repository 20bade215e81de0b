/** The limits the endpoint states (README, `/model`) and enforces. */
export const EDGE_LIMITS = {
  /** request bodies above this are refused with 413 before they are read (a 2048x2048 phone JPEG is ~1-2 MiB) */
  maxBodyBytes: 4 * 1024 * 1024,
  /** images in one `{"images": [...]}` request */
  maxBatch: 16,
  /**
   * images per forward pass: a batch request runs its images one at a time. Workers cap an isolate's memory at
   * 128 MB, tfjs-backend-wasm's linear memory grows with the batch of a pass and never shrinks, and at 224 px
   * one pass over 16 images would take it to several hundred MB; on wasm one image at a time costs no
   * throughput (the committed bench run: tfjs wasm SIMD 27.6 images/s at batch 1 and at batch 8).
   */
  forwardBatch: 1,
  /**
   * a picture's width x height, any format (checked from its header before decoding, so a small compressed bomb
   * cannot blow memory): 2048 x 2048 decodes to 16 MiB of RGBA, well inside a Worker's 128 MB beside the engine. A
   * phone's 12 MP photo is refused with this number: the page scales pictures down before sending them.
   */
  maxImagePixels: 2048 * 2048,
  /** largest `?topk=` */
  maxTopK: 10,
  defaultTopK: 3,
  /** POST /predict requests per client and period (wrangler.toml's `[[ratelimits]]`, held to these by a test) */
  rateLimitRequests: 60,
  /** the rate limiter's window in seconds (Workers allow 10 or 60) */
  rateLimitPeriodSeconds: 10,
} as const;

export type EdgeLimits = { -readonly [K in keyof typeof EDGE_LIMITS]: number };
