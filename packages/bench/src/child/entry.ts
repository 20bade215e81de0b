// The child process's entry: `node --import tsx entry.ts '<task JSON>'`. It has no heavy static imports, so
// the first line runs as soon as Node and the loader are up, and the cold start can be split honestly.
const processMs = performance.now();
const startRssBytes = process.memoryUsage.rss();

const { installWasmMemoryProbe } = await import('./wasm-memory.ts');
installWasmMemoryProbe();
const { runChild } = await import('./child.ts');
await runChild(process.argv[2] ?? '', { processMs, startRssBytes });
export {};
