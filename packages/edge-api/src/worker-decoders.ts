// The wasm image decoders every Worker build bundles (mozjpeg's for JPEG, libwebp's for WebP), imported as modules:
// wrangler compiles each `.wasm` import to a WebAssembly.Module (Workers forbid compiling from bytes). PNG is pure JS.
import type { ImageDecoderWasm } from '@nin-bench/core-nin/data/decode-image';
import jpeg from '@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm';
import webp from '@jsquash/webp/codec/dec/webp_dec.wasm';

export const WORKER_DECODER_WASM: ImageDecoderWasm = { jpeg, webp };
