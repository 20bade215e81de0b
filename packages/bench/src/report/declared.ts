import { catalogEntry, type CatalogEntry } from '../plan/catalog.ts';
import type { BackendRun } from '../results/schema.ts';

/**
 * What the engine registry declares about a results row (plan/catalog.ts, looked up by the row's id), so that the
 * report never decides by an engine's name. A row the registry does not know (a results file older than its id,
 * an engine declared outside the registry) falls back on what the row itself recorded: `browser` and `remote`.
 */

type RowFlags = Pick<BackendRun, 'backend' | 'browser' | 'remote'>;

/** Where the row ran: a Node child, a Chromium page, an HTTP endpoint (the edge), a Python child. */
export function runsIn(run: RowFlags): CatalogEntry['runsIn'] {
  return catalogEntry(run.backend)?.runsIn ?? (run.browser ? 'browser' : run.remote ? 'edge' : 'node');
}

/**
 * Whether the row's engine needs no native addon (what a page or an edge runtime can embed). Unknown to the
 * registry: only a page's row, since a page cannot load an addon; an HTTP endpoint measures a deployment.
 */
export function isPortable(run: RowFlags): boolean {
  return catalogEntry(run.backend)?.portable ?? run.browser === true;
}

/** The arithmetic the row's WebAssembly does, or null when it is no WebAssembly row (or the registry does not know it). */
export function wasmArithmetic(run: Pick<BackendRun, 'backend'>): 'float32' | 'int8' | null {
  return catalogEntry(run.backend)?.wasmArithmetic ?? null;
}

/** Where a row's engine ran, for grouping rows in charts and tables: in a Node process, a web page, behind HTTP, in Python. */
export type RunPlace = 'Node' | 'browser (Chromium)' | 'HTTP endpoint' | 'Python';
export const RUN_PLACES: readonly RunPlace[] = ['Node', 'browser (Chromium)', 'HTTP endpoint', 'Python'];

const PLACE_NAMES: Readonly<Record<CatalogEntry['runsIn'], RunPlace>> = {
  node: 'Node',
  browser: 'browser (Chromium)',
  edge: 'HTTP endpoint',
  python: 'Python',
};

/** The place the registry declares for the row, in the report's words. */
export const runPlace = (run: RowFlags): RunPlace => PLACE_NAMES[runsIn(run)];
