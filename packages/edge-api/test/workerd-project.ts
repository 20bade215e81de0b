// The vitest project of one Worker build inside workerd (via @cloudflare/vitest-plugin): one project per build,
// since a pool runs one Worker entry, each taken from the root wrangler.toml with the runtime precompiling its wasm
// and the build's model bundled. The vitest.workers*.config.ts files call workerdProject with their build.
import { fileURLToPath } from 'node:url';
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineProject } from 'vitest/config';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url)).replace(/\/$/, '');

export interface WorkerdProjectOptions {
  /** the vitest project's name (`npx vitest run --project NAME`) */
  readonly name: string;
  /** wrangler.toml's environment of the build; without it, its top level (the default build) */
  readonly environment?: string;
  /** how the build's test files under packages/edge-api/src end, e.g. `.workerd-onnx.test.ts` */
  readonly testFileSuffix: string;
  /** what must exist before workerd bundles the Worker (the model it imports): a file under packages/edge-api/test */
  readonly globalSetup?: string;
}

export function workerdProject(options: WorkerdProjectOptions) {
  return defineProject({
    plugins: [
      cloudflareTest({
        wrangler: {
          configPath: `${repoRoot}/wrangler.toml`,
          ...(options.environment && { environment: options.environment }),
        },
      }),
    ],
    // The repo root, not this package: workerd's module loader cannot follow vite's `/@fs/` paths, which is what
    // the wasm binaries in the hoisted node_modules/ would get if they lay outside the root.
    test: {
      root: repoRoot,
      name: options.name,
      include: [`packages/edge-api/src/**/*${options.testFileSuffix}`],
      ...(options.globalSetup && { globalSetup: [`packages/edge-api/test/${options.globalSetup}`] }),
      testTimeout: 180_000,
      hookTimeout: 180_000,
    },
  });
}
