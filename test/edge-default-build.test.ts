// The edge's default build is chosen by measurement: the bench's rule (the lowest Worker CPU per request among the
// builds at the accuracy target within the Free plan's CPU limit) applied to the committed run must name the build
// that packages/edge-api serves by default (wrangler.toml's top level). A new bench run that changes the answer
// fails here until the default follows it.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseEdgeBuild, readResults } from '@nin-bench/bench';
import { DEFAULT_EDGE_BUILD, REPO_ROOT } from '@nin-bench/edge-api/node';

describe("the edge's default build", () => {
  it('is the one the committed bench run picks for the Free plan', async () => {
    const results = await readResults(join(REPO_ROOT, 'results', 'bench', 'results.json'));
    const free = chooseEdgeBuild(results, 'free');
    expect(free, 'the committed run has no build at the accuracy target within 10 ms of Worker CPU').not.toBeNull();
    expect({ size: free!.size, engine: free!.engine }).toEqual({
      size: DEFAULT_EDGE_BUILD.inputSize,
      engine: DEFAULT_EDGE_BUILD.engine,
    });
    expect(free!.run.facts?.details.servedWeights).toBe(
      `${DEFAULT_EDGE_BUILD.precision}, ${DEFAULT_EDGE_BUILD.inputSize} px`,
    );
  });
});
