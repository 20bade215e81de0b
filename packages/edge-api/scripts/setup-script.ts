// What the edge's scripts that drive wrangler, workerd or a browser share (edge:dev, edge:check, screenshot): every
// failure of theirs is this machine's setup, and the build they serve comes from EDGE_SIZE/EDGE_WEIGHTS/EDGE_ENGINE.
import { UsageError, runScript, type OptionSpecs, type Script } from '@nin-bench/core-nin/node/cli-args';
import { edgeBuildFromEnv, type EdgeBuild } from '../src/node/edge-weights.ts';

/**
 * Runs a script whose every failure is the machine's setup (no trained weights, wrangler or Chromium failing): one
 * line and exit 1, never a stack. Without `options` it takes --help and nothing else.
 */
export function runSetupScript<O extends OptionSpecs>(script: Omit<Script<O>, 'knownFailures'>): Promise<void> {
  return runScript({ ...script, knownFailures: () => true });
}

/** The build the environment's EDGE_SIZE, EDGE_WEIGHTS and EDGE_ENGINE pick; a bad value is a UsageError. */
export function edgeBuildFromScriptEnv(): EdgeBuild {
  try {
    return edgeBuildFromEnv();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
