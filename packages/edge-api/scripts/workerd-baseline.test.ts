// The workerd RSS baseline runs a Worker of its own under plain workerd and reports RSS per part and growth.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const script = fileURLToPath(new URL('./workerd-baseline.ts', import.meta.url));

describe('workerd-baseline', () => {
  it("serves its three-line Worker with plain workerd, measures that process's RSS, and stops it", async () => {
    const { stdout } = await exec(
      process.execPath,
      ['--import', 'tsx', script, '--requests', '2000', '--samples', '2', '--clients', '4'],
      { timeout: 120_000 },
    );
    expect(stdout).toMatch(/^workerd \d{4}-\d{2}-\d{2} \(.*workerd\): RSS \d+\.\d MiB after start$/m);
    expect(stdout).toMatch(/^1000 requests: RSS \d+\.\d MiB$/m);
    expect(stdout).toMatch(/^2000 requests: RSS \d+\.\d MiB$/m);
    expect(stdout).toMatch(/^growth: -?\d+\.\d MiB over 2000 requests from 4 clients, -?\d+\.\d\d KiB a request$/m);
  }, 150_000);
});
