import { prose, type ReportSection } from './section.ts';

const THREADS = prose`- **Threads.** tfjs cpu runs JavaScript kernels on one thread. tfjs wasm runs on one thread: tfjs-backend-wasm
  turns threads off under Node (see "Backends that did not run"). onnxruntime-node sets \`intraOpNumThreads\`;
  onnxruntime-web sets \`env.wasm.numThreads\` (its pthreads run on Node worker threads sharing one WebAssembly memory; a
  browser needs cross-origin isolation for that).`;

const WEBGPU = prose`- **webgpu** runs tfjs-backend-webgpu on Dawn (the \`webgpu\` package). On a machine without a GPU the only
  adapter is a software Vulkan driver (Mesa lavapipe): its figures then measure a CPU emulating a GPU, not a GPU; the
  adapter is named under Machine and versions.`;

/** What some engines do that their rows' figures depend on: their threads, and what webgpu runs on. */
export const engineNotes: ReportSection = {
  name: 'engine notes',
  methodology: () => [THREADS, WEBGPU],
};
