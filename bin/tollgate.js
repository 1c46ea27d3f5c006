#!/usr/bin/env node
// Runs the CLI in this same process: the precompiled bundle when it is fresh (starts in about a
// tenth of a second), else the TypeScript sources through tsx's loader, so a checkout needs no build
// step to run. In-process matters: a signal (Ctrl-C, SIGTERM, kill -9) must reach the runtime
// itself, not a launcher whose child would outlive it and keep the data directory locked.
import { freshCliBundle } from './cli-bundle.js';

const bundle = process.env.TOLLGATE_CLI_FROM_SOURCE ? null : freshCliBundle(new URL('../', import.meta.url));
if (bundle) {
  await import(bundle);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/tollgate.ts');
}
