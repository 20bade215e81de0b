import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  README_FILES,
  REPO_ROOT,
  figureBlockNames,
  isRepoResultsDir,
  modelsBlock,
  readCommittedModels,
  renderFigureBlocks,
  type FigureSources,
} from './readme-figures.ts';
import { readResults } from './write.ts';

const committed = async (): Promise<FigureSources> => ({
  bench: await readResults(join(REPO_ROOT, 'results/bench/results.json')),
  models: readCommittedModels(),
});

describe('README figures blocks', () => {
  it('re-renders only what lies between the markers, and refuses an unknown block', async () => {
    const sources = await committed();
    const text = 'before\n<!-- figures:models -->\nold figure 0.1234\n<!-- /figures:models -->\nafter 0.5\n';
    const out = renderFigureBlocks(text, sources);
    expect(out.startsWith('before\n<!-- figures:models -->\n| input |')).toBe(true);
    expect(out.endsWith('\n<!-- /figures:models -->\nafter 0.5\n')).toBe(true);
    expect(out).not.toContain('old figure');
    expect(() => renderFigureBlocks('<!-- figures:modles -->\nx\n<!-- /figures:modles -->', sources)).toThrow(
      /unknown figures block "modles"/,
    );
  });

  it("reads each committed model's accuracy from its own file", () => {
    const models = readCommittedModels();
    const f224 = models.find((m) => m.file === 'nin-fmnist-224.safetensors')!;
    expect(f224.inputSize).toBe(224);
    expect(f224.testAccuracy).toBeGreaterThan(0.85);
    const block = modelsBlock(models);
    // one row per float32 model, its int8 copies beside it
    expect(block.split('\n').filter((l) => l.startsWith('| ') && l.includes(' px |'))).toHaveLength(
      models.filter((m) => m.storage === 'float32').length,
    );
    expect(block).toContain(f224.testAccuracy!.toFixed(4));
    expect(block).toContain('nin-fmnist-224.int8.onnx');
  });

  // The point of the blocks: a README figure that does not come from the committed results fails here.
  it('the committed READMEs carry the figures the committed results give (run `npm run report` after a bench run)', async () => {
    const sources = await committed();
    const names: string[] = [];
    for (const file of README_FILES) {
      const text = readFileSync(join(REPO_ROOT, file), 'utf8');
      names.push(...figureBlockNames(text));
      expect(renderFigureBlocks(text, sources), `${file} is stale: run npm run report`).toBe(text);
    }
    expect(names).toEqual(expect.arrayContaining(['models', 'bench', 'edge']));
  });

  it("only the repository's own results/ rewrites the READMEs", () => {
    expect(isRepoResultsDir(join(REPO_ROOT, 'results'))).toBe(true);
    expect(isRepoResultsDir('/tmp/results')).toBe(false);
  });
});
