// The browser launcher's failure paths (it serves the edge page's test and the bench's browser rows): a browser
// that cannot start, or a page that throws, is an error with its reason within a bounded time, never a hang.
// (The edge page in Chromium: test/edge-page-chromium.test.ts; a bench row: packages/bench/src/browser/.)
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BrowserLaunchError, chromiumUnavailable, launchChromium, watchPage } from './chromium.ts';

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('launching Chromium', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('says why when there is no browser to run', () => {
    expect(chromiumUnavailable('/nonexistent/chromium')).toMatch(
      /no Chromium at \/nonexistent\/chromium \(apt-get install chromium/,
    );
  });

  it('turns a browser that exits at once into an error with the reason, well within the launch timeout', async () => {
    const t0 = Date.now();
    const error = await launchChromium({ executablePath: '/bin/false', timeoutMs: 20_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrowserLaunchError);
    expect((error as Error).message.split('\n', 1)[0]).toBe(
      'Chromium (/bin/false) did not start: it exited (exitCode=1, signal=null)',
    );
    expect(Date.now() - t0).toBeLessThan(15_000);
  });

  it('turns a browser that never answers into a timeout error, and leaves nothing running', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hung-browser-'));
    dirs.push(dir);
    const script = join(dir, 'chromium');
    // a shell that waits on a child: the shell keeps Chromium's arguments in its command line, the sleep does not
    await writeFile(script, `#!/bin/sh\necho $$ > ${dir}/pid\nsleep 600\n`);
    await chmod(script, 0o755);
    const t0 = Date.now();
    const error = await launchChromium({ executablePath: script, timeoutMs: 3_000 }).catch((e: unknown) => e);
    const ms = Date.now() - t0;
    expect(error).toBeInstanceOf(BrowserLaunchError);
    expect((error as Error).message.split('\n', 1)[0]).toBe(
      `Chromium (${script}) did not start: no answer within 3000 ms`,
    );
    expect(ms).toBeGreaterThanOrEqual(2_900);
    expect(ms).toBeLessThan(15_000);
    // killed with its child at once, not after Playwright's 30 s attempt at a graceful close
    const pid = Number(await readFile(join(dir, 'pid'), 'utf8'));
    const deadline = Date.now() + 2_000;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(isAlive(pid), `the hung "browser" (pid ${pid}) is still running`).toBe(false);
  });

  const missing = chromiumUnavailable();
  it.skipIf(missing !== null)(
    `fails a wait as soon as the page throws, with the page's message${missing ? ` (skipped: ${missing})` : ''}`,
    async () => {
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        const watch = watchPage(page);
        await page.setContent(
          '<p>ok</p><script>setTimeout(function () { throw new TypeError("the page broke") }, 200)</script>',
        );
        const t0 = Date.now();
        // the element never comes: without the watch this would wait the whole 60 s
        await expect(watch.race(page.waitForSelector('#never', { timeout: 60_000 }))).rejects.toThrow(
          'the page failed: uncaught TypeError: the page broke',
        );
        expect(Date.now() - t0).toBeLessThan(10_000);
        expect(() => watch.check()).toThrow(/the page broke/);
      } finally {
        await browser.close();
      }
    },
  );
});
