// `@nin-bench/core-nin/litert`: LiteRT.js (`@litertjs/core`, the TFLite runtime with XNNPACK in WebAssembly) run
// from the glue and wasm it is handed, the same way in Node, a page and a Worker: no network, the build pinned
// and reported, its console noise filtered. Worker-safe: no Node built-ins (the Node adapter is node/litert.ts).
//
//   const runtime = await createLiteRtRuntime({ glue, wasm, build: 'relaxed' });  // runtime.build says which ran
//   const model = await loadLiteRtClassifier(runtime, tfliteBytes);
//   const logits = await model.logits(preprocessImages(images, model.inputSize), n);
//   model.dispose(); runtime.dispose();
//
// Where `glue` and `wasm` come from: Node `loadLiteRtNode()`; a page or web worker `loadLiteRtGlueScript(url)`
// and `WebAssembly.compileStreaming(fetch(wasmUrl))`; a Worker an ES-module copy of the glue
// (`liteRtGlueAsEsModule`) and `import wasm from '@litertjs/core/wasm/litert_wasm_internal.wasm'`.
export * from './build.ts';
export * from './runtime.ts';
export * from './classifier.ts';
export * from './glue.ts';
