// What the edge's scripts that drive wrangler, workerd or a browser share (edge:dev, edge:check, edge:serve,
// screenshot, photo-cpu): failures that are this machine's setup, and the build the EDGE_* variables pick.
import { UsageError, runScript, type OptionSpecs, type Script } from '@nin-bench/core-nin/node/cli-args';
import { edgeBuildFromEnv, type EdgeBuild } from '../src/node/edge-weights.ts';

/** The variables that pick a build, as the scripts' usage lines show them. */
export const EDGE_BUILD_VARIABLES =
  '[EDGE_SIZE=224|100|96] [EDGE_WEIGHTS=int8|float16|float32] [EDGE_ENGINE=tfjs|onnxruntime-int8|litert-int8]';

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
