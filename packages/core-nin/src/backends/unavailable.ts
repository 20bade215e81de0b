/** A backend that cannot run here, with the reason in words ("no Vulkan adapter", "tfjs-node-gpu not installed"). */
export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError';
  constructor(
    readonly backend: string,
    readonly reason: string,
  ) {
    super(`backend ${backend} is unavailable: ${reason}`);
  }
}
