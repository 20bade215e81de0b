import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

// One formatter for the tree (Prettier, .prettierrc.json; what it skips is in .prettierignore): `npm run format`
// fixes what this finds.
it('the code is formatted with Prettier (npm run format)', async () => {
  const run = promisify(execFile);
  const result = await run(
    process.execPath,
    [createRequire(import.meta.url).resolve('prettier/bin/prettier.cjs'), '--list-different', '.'],
    { cwd: root },
  ).catch((e: { stdout?: string; code?: number }) => ({ stdout: e.stdout ?? '', code: e.code }));
  expect(result.stdout.trim().split('\n').filter(Boolean), 'files Prettier would change').toEqual([]);
}, 120_000);
