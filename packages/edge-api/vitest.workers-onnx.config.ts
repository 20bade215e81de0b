import { workerdProject } from './test/workerd-project.ts';

// Inside workerd, the onnxruntime int8 engine's build: wrangler.toml's `onnx-int8` environment (src/worker.onnx-int8.ts
// with onnxruntime-web's wasm precompiled by the runtime and the int8 ONNX model bundled).
export default workerdProject({
  name: 'edge-api-workerd-onnx',
  environment: 'onnx-int8',
  testFileSuffix: '.workerd-onnx.test.ts',
});
