// `npm run -w @nin-bench/edge-api screenshot`: refreshes the committed picture of the page (results/edge-page.png,
// shown by the edge README) on purpose: the real `wrangler dev` serving the default build, headless Chromium, a
// product photo from examples/ sent through the page's picture input, the answer and the tile the model saw.
// The page's end-to-end test takes its own screenshot where git ignores it, so `npm test` leaves the tree clean.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { launchChromium, watchPage } from '@nin-bench/node-tools/chromium';
import { EDGE_DIR } from '../src/node/edge-weights.ts';
import { startWranglerDev } from '../src/node/wrangler-dev.ts';
import { runSetupScript } from './setup-script.ts';

const OUT = join(EDGE_DIR, 'results', 'edge-page.png');
const USAGE = `usage: npm run -w @nin-bench/edge-api screenshot -- [--example FILE]

Starts wrangler dev (the default build) and headless Chromium, sends examples/FILE (default: the first photo-style
JPEG in examples/samples.json) through the page's picture input, waits for the answer and writes ${OUT}.`;

await runSetupScript({
  name: 'edge screenshot',
  helpCommand: 'npm run -w @nin-bench/edge-api screenshot -- --help',
  usage: USAGE,
  async run() {
    const samples = (
      JSON.parse(await readFile(join(EDGE_DIR, 'examples', 'samples.json'), 'utf8')) as {
        samples: { file: string; className: string }[];
      }
    ).samples;
    const example = samples.find((s) => s.file.endsWith('.jpg'));
    if (!example) throw new Error('examples/samples.json lists no JPEG: run the examples script first');
    const [dev, browser] = await Promise.all([startWranglerDev(), launchChromium()]);
    try {
      const page = await browser.newPage({ viewport: { width: 800, height: 720 } });
      const watch = watchPage(page);
      await page.goto(`${dev.url}/`);
      await page.waitForFunction(() => document.getElementById('facts')?.textContent?.includes('Engine:'));
      await page.setInputFiles('#file', join(EDGE_DIR, 'examples', example.file));
      await page.waitForFunction((f) => document.getElementById('label')?.textContent?.includes(f + ')'), example.file);
      await page.waitForFunction(() => !(document.getElementById('sawbox') as HTMLElement).hidden);
      watch.check();
      await page.screenshot({ path: OUT, fullPage: true });
      console.log(`${OUT}: ${await page.textContent('#label')}`);
      return 0;
    } finally {
      await browser.close();
      await dev.stop();
    }
  },
});
