// The PGlite thread's entry when Tollgate runs from its TypeScript sources (tsx, vitest): a worker
// thread does not inherit the TypeScript loader its parent runs under, so it registers tsx itself.
// The precompiled CLI starts dist/cli/pglite-thread.js instead (scripts/build-cli.ts).
import { register } from 'tsx/esm/api';

register();
await import('./pglite-thread.ts');
