// Non-JS modules the Workers bundle imports (wrangler.toml [[rules]]): wasm arrives precompiled, weights and ONNX models as bytes.
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
declare module '*.safetensors' {
  const bytes: ArrayBuffer;
  export default bytes;
}
declare module '*.onnx' {
  const bytes: ArrayBuffer;
  export default bytes;
}
declare module '*.tflite' {
  const bytes: ArrayBuffer;
  export default bytes;
}
// LiteRT.js's relaxed-SIMD glue as a Worker imports it: wrangler.toml's [alias] points the name at the ES-module copy
// that src/node/litert-glue.ts writes (the package's own file is a classic script with no ES export).
declare module '@litertjs/core/wasm/litert_wasm_internal.js' {
  const factory: import('@nin-bench/core-nin/litert').LiteRtGlue;
  export default factory;
}
