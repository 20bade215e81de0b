// `npm run -w @nin-bench/edge-api workerd-baseline`: how a workerd process's RSS grows under load with a Worker that
// does nothing (reads the body, answers a small JSON), as a baseline for the edge soak's RSS check: long soaks of
// this project's Workers grow too, and this separates what the runtime does from what the app does.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { option, runScript } from '@nin-bench/core-nin/node/cli-args';
import { freePort, processRssBytes, spawnProcessGroup } from '@nin-bench/node-tools/process-group';
import { workerdBinary } from '../src/node/workerd.ts';

const USAGE = `usage: npm run -w @nin-bench/edge-api workerd-baseline -- [--requests N] [--clients N] [--samples N]

Serves a three-line Worker with plain \`workerd serve\` (the workerd wrangler runs, no wrangler around it), sends it N
requests (default 80000) from concurrent clients (default 16), and prints the workerd process's RSS after each of
--samples (default 8) equal parts, and its growth per request.`;

/** The Worker: nothing of this project's. */
const HELLO = `export default { async fetch(request) { await request.arrayBuffer(); return Response.json({ ok: true }); } };\n`;

const config = (port: number) => `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .w) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const w :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "hello.js") ],
  compatibilityDate = "2025-09-01",
);
`;

const rssMiB = (pid: number) => (processRssBytes(pid) ?? NaN) / 2 ** 20;

await runScript({
  name: 'workerd-baseline',
  helpCommand: 'npm run -w @nin-bench/edge-api workerd-baseline -- --help',
  usage: USAGE,
  options: {
    requests: option.positiveInteger().default(80_000),
    clients: option.positiveInteger().default(16),
    samples: option.positiveInteger().default(8),
  },
  // workerd failing to start or to answer: one line, exit 1
  knownFailures: () => true,
  async run({ values: { requests, clients, samples } }) {
    const dir = await mkdtemp(join(tmpdir(), 'workerd-baseline-'));
    const port = await freePort();
    await writeFile(join(dir, 'hello.js'), HELLO);
    await writeFile(join(dir, 'config.capnp'), config(port));
    const binary = workerdBinary();
    const group = spawnProcessGroup([binary, 'serve', 'config.capnp'], { cwd: dir });
    const url = `http://127.0.0.1:${port}/`;
    try {
      const deadline = Date.now() + 30_000;
      for (;;) {
        if (group.child.exitCode !== null) throw new Error(`workerd exited: ${group.output().slice(-500)}`);
        if (
          await fetch(url).then(
            (r) => r.ok,
            () => false,
          )
        )
          break;
        if (Date.now() > deadline) throw new Error(`workerd did not answer within 30 s: ${group.output().slice(-500)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const pid = group.processes().find((p) => p.executable === 'workerd')!.pid;
      const start = rssMiB(pid);
      const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
      console.log(`${version} (${binary}): RSS ${start.toFixed(1)} MiB after start`);
      const perSample = Math.ceil(requests / samples);
      let sent = 0;
      for (let s = 0; s < samples && sent < requests; s++) {
        const target = Math.min(requests, sent + perSample);
        await Promise.all(
          Array.from({ length: clients }, async () => {
            while (sent < target) {
              sent++;
              const res = await fetch(url, { method: 'POST', body: 'x' });
              await res.arrayBuffer();
              if (!res.ok) throw new Error(`the Worker answered ${res.status}`);
            }
          }),
        );
        console.log(`${sent} requests: RSS ${rssMiB(pid).toFixed(1)} MiB`);
      }
      const end = rssMiB(pid);
      console.log(
        `growth: ${(end - start).toFixed(1)} MiB over ${sent} requests from ${clients} clients, ${(((end - start) * 1024) / sent).toFixed(2)} KiB a request`,
      );
      return 0;
    } finally {
      await group.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
});
