import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, spawnProcessGroup, type ProcessGroup } from '@nin-bench/node-tools/process-group';
import { capnpText, socketAddress, workerdBinary, workerdConfig } from './workerd.ts';

describe('capnpText', () => {
  it('escapes quotes, backslashes and control characters the C way, and passes UTF-8 as is', () => {
    expect(capnpText('a"b\\c\nd\u0001é')).toBe('"a\\"b\\\\c\\x0ad\\x01é"');
  });
});

describe('socketAddress', () => {
  it('puts IPv6 in brackets', () => {
    expect(socketAddress('127.0.0.1', 8788)).toBe('127.0.0.1:8788');
    expect(socketAddress('*', 80)).toBe('*:80');
    expect(socketAddress('::1', 8788)).toBe('[::1]:8788');
  });
});

describe('workerdConfig', () => {
  it('wants the ES module entry first', () => {
    const base = { vars: {}, compatibilityDate: '2025-09-01', address: '127.0.0.1:1' };
    expect(() => workerdConfig({ ...base, modules: [{ name: 'x.wasm', type: 'CompiledWasm' }] })).toThrow(/ES module/);
    expect(() => workerdConfig({ ...base, modules: [] })).toThrow(/ES module/);
  });

  let dir: string | undefined;
  let group: ProcessGroup | undefined;
  afterEach(async () => {
    await group?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('serves a Worker with plain workerd: its modules by type, its vars as text and JSON bindings', async () => {
    dir = await mkdtemp(join(tmpdir(), 'workerd-config-'));
    // the entry imports a Data and a Text module by their names, as wrangler's bundle does
    await writeFile(
      join(dir, 'entry.js'),
      `import data from './0a-blob.onnx';
import text from './0b-note.txt';
export default {
  fetch(request, env) {
    return Response.json({ bytes: [...new Uint8Array(data)], text, quoted: env.QUOTED, json: env.JSON_VAR });
  },
};
`,
    );
    await writeFile(join(dir, '0a-blob.onnx'), new Uint8Array([0, 1, 254, 255]));
    await writeFile(join(dir, '0b-note.txt'), 'hello');
    const port = await freePort();
    await writeFile(
      join(dir, 'config.capnp'),
      workerdConfig({
        modules: [
          { name: 'entry.js', type: 'ESModule' },
          { name: '0a-blob.onnx', type: 'Data' },
          { name: '0b-note.txt', type: 'Text' },
        ],
        vars: { QUOTED: 'a "quoted"\nline \\ é', JSON_VAR: { n: 1, list: ['x'] } },
        compatibilityDate: '2025-09-01',
        address: socketAddress('127.0.0.1', port),
      }),
    );
    group = spawnProcessGroup([workerdBinary(), 'serve', 'config.capnp'], { cwd: dir });
    let body: unknown;
    for (let tries = 0; body === undefined; tries++) {
      if (group.child.exitCode !== null) throw new Error(`workerd exited: ${group.output()}`);
      body = await fetch(`http://127.0.0.1:${port}/`).then(
        (r) => r.json(),
        () => undefined,
      );
      if (body === undefined && tries > 100) throw new Error(`workerd did not answer: ${group.output()}`);
      if (body === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    expect(body).toEqual({
      bytes: [0, 1, 254, 255],
      text: 'hello',
      quoted: 'a "quoted"\nline \\ é',
      json: { n: 1, list: ['x'] },
    });
  }, 30_000);
});
