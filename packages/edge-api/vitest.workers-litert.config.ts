import { workerdProject } from './test/workerd-project.ts';

// Inside workerd, the LiteRT.js engine's build at 100 px (the default build): wrangler.toml's top level
// (src/worker.litert-int8-size100.ts with LiteRT's relaxed-SIMD wasm precompiled by the runtime and the int8 .tflite
// model bundled).
export default workerdProject({
  name: 'edge-api-workerd-litert',
  testFileSuffix: '.workerd-litert.test.ts',
  // the glue's ES-module copy that wrangler.toml's [alias] names, and the model (wrangler's build command does not
  // run here)
  globalSetup: 'ensure-litert.global.ts',
});
