/** One engine in the page, once initialised: loads the model's bytes, turns a preprocessed batch into logits. */
export interface PageEngine {
  load(bytes: Uint8Array, size: number): Promise<void>;
  logits(input: Float32Array, n: number): Promise<Float32Array>;
}
