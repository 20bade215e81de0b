/** The limits the endpoint states (README, `/model`) and enforces. */
export const EDGE_LIMITS = {
  /** request bodies above this are refused with 413 before they are read */
  maxBodyBytes: 1024 * 1024,
  /** images in one `{"images": [...]}` request */
  maxBatch: 16,
  /** a PNG's width x height (checked from its header before decoding, so a small compressed bomb cannot blow memory) */
  maxPngPixels: 1024 * 1024,
  /** largest `?topk=` */
  maxTopK: 10,
  defaultTopK: 3,
} as const;

export type EdgeLimits = { -readonly [K in keyof typeof EDGE_LIMITS]: number };
