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
