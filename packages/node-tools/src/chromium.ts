import { randomUUID } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { processArgv, processIds } from './proc.ts';

/** The system Chromium (Debian's `chromium` package); CHROMIUM_PATH points elsewhere. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

// Without the networking flags Chromium keeps calling Google services, which on a machine with no network
// only burns CPU; there is no sandbox for root in a container, and no GPU.
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface ChromiumOptions {
  /** default: CHROMIUM_PATH */
  readonly executablePath?: string;
  /** how long the browser may take to start before this is an error (default 60 s) */
  readonly timeoutMs?: number;
  /** switches after CHROMIUM_ARGS, e.g. `--enable-unsafe-webgpu` */
  readonly args?: readonly string[];
}

/** Why the browser tests cannot run here (they skip with it), or null when Chromium is there. */
export function chromiumUnavailable(executablePath = CHROMIUM_PATH): string | null {
  try {
    accessSync(executablePath, constants.X_OK);
    return null;
  } catch {
    return `no Chromium at ${executablePath} (apt-get install chromium, or set CHROMIUM_PATH)`;
  }
}

export class BrowserLaunchError extends Error {
  override readonly name = 'BrowserLaunchError';
}

/**
 * Starts headless Chromium through playwright-core (which downloads no browser of its own). A browser that
 * exits or never answers is a BrowserLaunchError with its reason within `timeoutMs`, never a hang, and what it
 * started is killed then. Close the browser in afterAll / finally.
 */
export async function launchChromium(options: ChromiumOptions = {}): Promise<Browser> {
  const executablePath = options.executablePath ?? CHROMIUM_PATH;
  const timeoutMs = options.timeoutMs ?? 60_000;
  // Imported here, not at the top: what imports this module for its other exports should not load Playwright.
  const { chromium } = await import('playwright-core');
  // Chromium ignores switches it does not know: this one names the process this launch started.
  const tag = `--nin-bench-launch=${randomUUID()}`;
  try {
    return await chromium.launch({
      executablePath,
      args: [...CHROMIUM_ARGS, ...(options.args ?? []), tag],
      timeout: timeoutMs,
    });
  } catch (e) {
    // Playwright ends a browser that started but never answered only after a 30 s attempt to close it gracefully
    // (or when this process exits): end it now.
    killTagged(tag);
    // The reason first; then Playwright's message, which carries the command line and the browser's own output.
    const details = (e as Error).message.replace(/\x1b\[[0-9;]*m/g, '');
    const exited = /<process did exit: ([^>]*)>/.exec(details);
    const reason = exited
      ? `it exited (${exited[1]})`
      : /Timeout \d+ms exceeded/.test(details)
        ? `no answer within ${timeoutMs} ms`
        : details.split('\n', 1)[0];
    throw new BrowserLaunchError(`Chromium (${executablePath}) did not start: ${reason}\n${details}`, { cause: e });
  }
}

/** SIGKILLs the process group of each process whose command line holds `tag` (Playwright starts the browser as a group leader). */
function killTagged(tag: string): void {
  // no /proc (not Linux): no pids, and Playwright's own clean-up has to do
  for (const pid of processIds()) {
    if (!processArgv(pid)?.includes(tag)) continue; // gone meanwhile, or another process
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
        break;
      } catch {
        // not a group leader after all: the process alone
      }
    }
  }
}

export interface PageWatch {
  /** what went wrong in the page so far: uncaught exceptions, console errors, failed requests, a crash */
  readonly problems: readonly string[];
  /** `task`'s result, or an error with the page's problem as soon as there is one (rather than waiting out `task`) */
  race<T>(task: Promise<T>): Promise<T>;
  /** throws when the page has had any problem */
  check(): void;
}

/** Watches a page for failures, so that a page that throws fails a test with its message instead of a timeout. */
export function watchPage(page: Page): PageWatch {
  const problems: string[] = [];
  const waiting = new Set<(problem: string) => void>();
  const report = (problem: string) => {
    problems.push(problem);
    for (const fail of waiting) fail(problem);
  };
  page.on('pageerror', (e) => report(`uncaught ${e.name}: ${e.message}`));
  page.on('console', (m) => (m.type() === 'error' ? report(`console error: ${m.text()}`) : undefined));
  page.on('requestfailed', (r) =>
    report(`request failed: ${r.method()} ${r.url()} (${r.failure()?.errorText ?? 'unknown'})`),
  );
  page.on('crash', () => report('the page crashed'));
  return {
    problems,
    race<T>(task: Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const fail = (problem: string) => {
          waiting.delete(fail);
          reject(new Error(`the page failed: ${problem}`));
        };
        // a task left behind (a wait the page's failure cut short) ends with the page; its rejection is not news
        task.catch(() => undefined);
        if (problems.length > 0) return fail(problems[0]);
        waiting.add(fail);
        task.then(
          (value) => (waiting.delete(fail), resolve(value)),
          (e: unknown) => (waiting.delete(fail), reject(e)),
        );
      });
    },
    check() {
      if (problems.length > 0) throw new Error(`the page failed: ${problems.join('; ')}`);
    },
  };
}
