import { describe, expect, it, vi } from 'vitest';
import { main } from './main.ts';

/** `nin-bench run ...` in this process, for the argument checks that come before any measuring. */
async function run(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const err = vi.spyOn(console, 'error').mockImplementation((...a) => void (stderr += `${a.join(' ')}\n`));
  try {
    return { code: await main(['run', ...args]), stderr };
  } finally {
    err.mockRestore();
  }
}

describe('nin-bench run --rounds', () => {
  it('takes a positive round count and a seed only where there are rounds to order', async () => {
    expect(await run(['--rounds', '0'])).toEqual({
      code: 2,
      stderr: 'nin-bench run: --rounds must be a positive integer, got "0" (see `nin-bench run --help`)\n',
    });
    // the smoke profile has one single-stream round, the default three (which a seed orders)
    expect(await run(['--profile', 'smoke', '--seed', '3'])).toEqual({
      code: 2,
      stderr:
        'nin-bench run: --seed orders rounds: give --rounds 2 or more (profile smoke has one round) (see `nin-bench run --help`)\n',
    });
  });
});
