// A gradient worker thread's entry: the core is TypeScript run through tsx's loader (as in bin/nin.js), and a
// worker thread starts without the loader its parent registered.
import { register } from 'tsx/esm/api';

register();
await import('./gradient-worker.ts');
