/** An error a client caused: it becomes a JSON `{error: {status, code, message}}` with this status. */
export class RequestError extends Error {
  override readonly name = 'RequestError';
  constructor(
    readonly status: 400 | 404 | 405 | 413 | 415 | 429 | 503,
    readonly code: string,
    message: string,
    /** headers the answer carries, e.g. `Retry-After` on a 429 */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export const badRequest = (code: string, message: string) => new RequestError(400, code, message);
