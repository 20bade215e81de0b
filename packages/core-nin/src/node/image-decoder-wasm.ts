// Node's side of decodeImage's wasm decoders: what a Worker entry imports as compiled modules, read from the
// installed packages and compiled once per process.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { ImageDecoderWasm } from '../data/decode-image.ts';

/** The wasm files decodeImage's decoders run on, as package paths (what a Worker entry imports). */
export const IMAGE_DECODER_WASM_FILES = {
  jpeg: '@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm',
  webp: '@jsquash/webp/codec/dec/webp_dec.wasm',
} as const satisfies Record<keyof ImageDecoderWasm, string>;

let compiled: Promise<ImageDecoderWasm> | undefined;

/** The modules for `decodeImage(bytes, { wasm })` in Node: compiled on the first call, shared after it. */
export function nodeImageDecoderWasm(): Promise<ImageDecoderWasm> {
  if (!compiled) {
    const pending = (async () => {
      const require = createRequire(import.meta.url);
      const compile = async (file: string) => WebAssembly.compile(await readFile(require.resolve(file)));
      const [jpeg, webp] = await Promise.all(
        [IMAGE_DECODER_WASM_FILES.jpeg, IMAGE_DECODER_WASM_FILES.webp].map(compile),
      );
      return { jpeg, webp };
    })();
    compiled = pending;
    pending.catch(() => {
      if (compiled === pending) compiled = undefined; // a later call tries again
    });
  }
  return compiled;
}
