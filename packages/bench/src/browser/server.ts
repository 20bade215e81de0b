import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { pageBundle } from './bundle.ts';
import { ORT_WASM_PATH, TFJS_WASM_PATH } from './page/api.ts';

// Cross-origin isolation: what a page needs for SharedArrayBuffer, and with it WebAssembly threads.
const ISOLATION = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
} as const;

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.html': 'text/html; charset=utf-8',
};
const typeOf = (path: string) => TYPES[/\.[a-z]+$/.exec(path)?.[0] ?? ''] ?? 'application/octet-stream';

const require = createRequire(import.meta.url);
/** The folders whose files the page may ask for, by URL prefix: the engines' binaries, from node_modules. */
const PACKAGE_DIRS: Readonly<Record<string, string>> = {
  [TFJS_WASM_PATH]: dirname(require.resolve('@tensorflow/tfjs-backend-wasm')),
  [ORT_WASM_PATH]: dirname(require.resolve('onnxruntime-web')),
};

const PAGE =
  '<!doctype html><meta charset="utf-8"><title>nin-bench browser row</title><link rel="icon" href="data:,">' +
  '<script type="module" src="/bundle/main.js"></script>';

export interface PageServer {
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  /** serves `bytes` at the returned path until dropped */
  put(bytes: Uint8Array): string;
  drop(path: string): void;
  close(): Promise<void>;
}

/**
 * The bench's page and everything it loads, from this machine only, cross-origin isolated (COOP same-origin,
 * COEP require-corp): the page, its bundle, the engines' wasm binaries, the model files `files` names (URL path
 * to file) and the batches `put` hands it. Anything else is a 404. Listens on 127.0.0.1, on a free port.
 */
export async function startPageServer(files: Readonly<Record<string, string>>): Promise<PageServer> {
  const bundle = new Map((await pageBundle()).map((f) => [`/bundle/${f.path}`, f.bytes]));
  const blobs = new Map<string, Uint8Array>();
  let next = 0;
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const send = (status: number, type: string, body?: Uint8Array | string) => {
      res.writeHead(status, { 'content-type': type, ...ISOLATION });
      res.end(body);
    };
    if (req.method !== 'GET') return send(405, 'text/plain', 'GET only');
    if (path === '/') return send(200, TYPES['.html'], PAGE);
    const inMemory = bundle.get(path) ?? blobs.get(path);
    if (inMemory) return send(200, typeOf(path), inMemory);
    const prefix = Object.keys(PACKAGE_DIRS).find((p) => path.startsWith(p));
    const name = prefix ? path.slice(prefix.length) : '';
    const file = files[path] ?? (prefix && /^[\w.-]+$/.test(name) ? join(PACKAGE_DIRS[prefix], name) : undefined);
    if (!file) return send(404, 'text/plain', 'not found');
    stat(file).then(
      (s) => {
        res.writeHead(200, { 'content-type': typeOf(file), 'content-length': s.size, ...ISOLATION });
        createReadStream(file).pipe(res);
      },
      () => send(404, 'text/plain', 'not found'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    put(bytes) {
      const path = `/input/${next++}`;
      blobs.set(path, bytes);
      return path;
    },
    drop(path) {
      blobs.delete(path);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
