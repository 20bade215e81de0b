import { workerdProject } from './test/workerd-project.ts';

// Inside workerd: the tfjs build's Worker entry from the root wrangler.toml (env `size224`: src/worker.ts), with the
// precompiled wasm-SIMD module and the bundled weights, called through `exports.default`. The LiteRT.js build (the
// default one) is vitest.workers-litert.config.ts, the onnxruntime int8 build vitest.workers-onnx.config.ts.
export default workerdProject({
  name: 'edge-api-workerd',
  environment: 'size224',
  testFileSuffix: '.workerd.test.ts',
  globalSetup: 'ensure-weights.global.ts',
});
