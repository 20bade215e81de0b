// Node-only side of the edge: running wrangler offline, the weights it bundles, the browser that opens its page.
export * from './edge-weights.ts';
export * from './wrangler.ts';
export * from './wrangler-dev.ts';
export * from './bundle-size.ts';
// The launcher lives in node-tools (the bench's browser rows use it too); re-exported for the edge's page test.
export * from '@nin-bench/node-tools/chromium';
export * from './measured-cpu.ts';
