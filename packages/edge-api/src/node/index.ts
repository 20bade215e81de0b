// Node-only side of the edge: running wrangler offline, the weights it bundles, the browser that opens its page.
export * from './edge-weights.ts';
export * from './wrangler.ts';
export * from './wrangler-dev.ts';
export * from './bundle-size.ts';
export * from './chromium.ts';
