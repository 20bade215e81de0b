// The decoders' errors, shared by every format (png.ts re-exports them where callers have always found them).

/** A picture that cannot be decoded or used; the message says why in one line (truncated, corrupt, unsupported). */
export class ImageDecodeError extends Error {
  override readonly name: string = 'ImageDecodeError';
}

/** A picture larger than the caller allows (its declared size, or PNG image data that inflates beyond it). */
export class ImageTooLargeError extends ImageDecodeError {
  override readonly name: string = 'ImageTooLargeError';
}
