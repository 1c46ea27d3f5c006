#!/usr/bin/env node
// Runs the TypeScript CLI in this same process through tsx's loader, so `npx tollgate` needs no
// build step. In-process matters: a signal (Ctrl-C, SIGTERM, kill -9) must reach the runtime
// itself, not a launcher whose child would outlive it and keep the data directory locked.
import { register } from 'tsx/esm/api';

register();
await import('../cli/tollgate.ts');
