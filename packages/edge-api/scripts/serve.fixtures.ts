// What the tests of the edge's serving scripts share (serve.test.ts, load.test.ts): how a script is wired into
// npm, and `npm run edge:serve` started for the default build on a free port.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { freePort, spawnProcessGroup, type ProcessGroup } from '@nin-bench/node-tools/process-group';
import { EDGE_DIR } from '../src/node/edge-weights.ts';
import { REPO_ROOT } from '../src/node/wrangler.ts';

const serveScript = fileURLToPath(new URL('./serve.ts', import.meta.url));

/** `npm run edge:<name>` at the root runs the edge package's `<name>` script, which is `tsx scripts/<file>`. */
export function expectWiredAs(name: string, file: string): void {
  const root = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
  const edge = JSON.parse(readFileSync(join(EDGE_DIR, 'package.json'), 'utf8'));
  expect(root.scripts[`edge:${name}`]).toBe(`npm run -w @nin-bench/edge-api ${name} --`);
  expect(edge.scripts[name]).toBe(`tsx scripts/${file}`);
}

/** Polls `probe` every 100 ms until it gives a value; throws after `ms`. */
export async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  ms: number,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface StartedServe {
  /** edge:serve's process group (workerd runs in a group of its own below it) */
  readonly group: ProcessGroup;
  readonly port: number;
  readonly url: string;
  /** the `edge:serve: ... ready: ...` line */
  readonly startLine: string;
}

/**
 * `npm run edge:serve` (`args` added) for the default build (no EDGE_* variable) on a free port, once it says it is
 * ready. `started` is handed the process group at once, so that a caller's afterAll can stop it should start fail.
 */
export async function startEdgeServe(args: string[], started: (group: ProcessGroup) => void): Promise<StartedServe> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port) };
  for (const v of ['EDGE_SIZE', 'EDGE_WEIGHTS', 'EDGE_ENGINE']) delete env[v];
  const group = spawnProcessGroup([process.execPath, '--import', 'tsx', serveScript, ...args], { cwd: EDGE_DIR, env });
  started(group);
  const startLine = await until(
    'the start line',
    () => {
      if (group.child.exitCode !== null) throw new Error(`edge:serve exited: ${group.output()}`);
      return group.output().match(/^edge:serve: .* ready: .*$/m)?.[0];
    },
    50_000,
  );
  return { group, port, url: `http://127.0.0.1:${port}`, startLine };
}
