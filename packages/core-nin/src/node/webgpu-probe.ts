import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { adapterName, isSoftwareAdapter, type AdapterInfo } from './webgpu.ts';

/** What a WebGPU adapter probe found: no adapter (and why), or the adapter and whether it is a software one. */
export type AdapterProbe =
  | { readonly found: false; readonly reason: string }
  | { readonly found: true; readonly adapter: string; readonly software: boolean };

/** dawn.node of the `webgpu` package, or beside this module in the GPU kit's bundle (where pack.sh puts it). */
function dawnNodePath(): string | null {
  const sub = join(
    'dist',
    `${process.platform}-${process.platform === 'darwin' ? 'universal' : process.arch}`,
    'dawn.node',
  );
  const candidates: string[] = [];
  try {
    candidates.push(join(dirname(createRequire(import.meta.url).resolve('webgpu')), sub));
  } catch {
    // not installed as a package: the bundle's layout below
  }
  candidates.push(join(dirname(fileURLToPath(import.meta.url)), sub));
  return candidates.find((p) => existsSync(p)) ?? null;
}

// Asks Dawn for the adapter tfjs-backend-webgpu would get, prints what it found as JSON, and exits (a live Dawn
// instance keeps Node running).
const CHILD = `
const { create } = require(process.argv[1]);
const done = (v) => { process.stdout.write(JSON.stringify(v)); process.exit(0); };
create([]).requestAdapter({ powerPreference: 'high-performance' }).then(
  (a) => done(a ? {
    info: { vendor: a.info?.vendor, architecture: a.info?.architecture, device: a.info?.device, description: a.info?.description },
  } : { info: null }),
  (e) => done({ error: String(e && e.message || e) }),
);`;

/**
 * Whether Dawn has a WebGPU adapter, asked in a child process. Dawn writes warnings straight to the process's
 * stderr while it enumerates adapters (on lavapipe: two "maxDynamic...BuffersPerPipelineLayout artificially
 * reduced" lines), which no JavaScript can intercept; asking in a child whose stderr is dropped keeps them away
 * from a user who never asked for WebGPU (`nin train --backend auto` skipping a software adapter). Null when the
 * probe itself could not run (no dawn.node found, the child failed): then only an in-process probe can tell.
 */
export function probeWebgpuAdapterQuietly(timeoutMs = 30_000): Promise<AdapterProbe | null> {
  const dawn = dawnNodePath();
  if (!dawn) return Promise.resolve(null);
  return new Promise((resolve) => {
    execFile(process.execPath, ['-e', CHILD, dawn], { timeout: timeoutMs, maxBuffer: 1 << 20 }, (error, stdout) => {
      if (error) return resolve(null);
      try {
        const reply = JSON.parse(stdout) as { info?: AdapterInfo | null; error?: string };
        if (reply.error !== undefined)
          return resolve({ found: false, reason: `Dawn failed to enumerate adapters: ${reply.error.split('\n')[0]}` });
        if (!reply.info) return resolve({ found: false, reason: 'no WebGPU adapter: Dawn found no Vulkan device' });
        resolve({ found: true, adapter: adapterName(reply.info), software: isSoftwareAdapter(reply.info) });
      } catch {
        resolve(null);
      }
    });
  });
}
