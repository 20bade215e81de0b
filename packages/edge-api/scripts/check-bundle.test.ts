// `npm run edge:check` with no variable: every build bundled, one line each, with the Worker CPU per request the
// committed bench run measured for it against the plans' limits.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { EDGE_BUILDS, describeEdgeBuild } from '../src/node/edge-weights.ts';
import { measuredKey, measuredWorkerCpu } from '../src/node/measured-cpu.ts';

const exec = promisify(execFile);
const script = fileURLToPath(new URL('./check-bundle.ts', import.meta.url));

describe('edge:check over every build', () => {
  it("bundles each build within the 64 MiB limit and prints the committed run's Worker CPU and plan beside it", async () => {
    const env = { ...process.env };
    for (const v of ['EDGE_SIZE', 'EDGE_WEIGHTS', 'EDGE_ENGINE']) delete env[v];
    const { stdout } = await exec(process.execPath, ['--import', 'tsx', script], { env, timeout: 240_000 });
    const measured = measuredWorkerCpu();
    for (const build of EDGE_BUILDS) {
      // the build's name fills its cell (`224 px int8` must not match `224 px int8 onnxruntime-int8`)
      const name = describeEdgeBuild(build).replaceAll('.', '\\.');
      const line = stdout.split('\n').find((l) => new RegExp(`│ ${name}( \\(default\\))? +│`).test(l));
      expect(line, describeEdgeBuild(build)).toBeDefined();
      const cpu = measured.get(measuredKey(build));
      expect(line).toContain(cpu ? `'${cpu.ms} ms'` : "'not measured'");
      if (cpu) expect(line).toMatch(/fits the Free plan|needs Workers Paid/);
    }
    expect(stdout).toContain('(default)');
    expect(stdout).toMatch(/edge:check OK: all \d+ builds within the limit/);
  }, 300_000);
});
