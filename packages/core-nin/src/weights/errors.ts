/** A weights file that cannot be used: the message names the tensor or byte offset at fault. */
export class WeightsError extends Error {
  override readonly name = 'WeightsError';
}
