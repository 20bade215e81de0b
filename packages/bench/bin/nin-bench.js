#!/usr/bin/env node
// The `nin-bench` CLI. TypeScript run through tsx's loader, like `nin`: no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
