import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { WaitingClock } from '../clock.js';

export type ImportOutcome =
  | { readonly kind: 'loaded'; readonly config: unknown }
  | { readonly kind: 'no-default' }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'exited'; readonly code: number | string }
  | { readonly kind: 'timed-out' };

const CHILD = fileURLToPath(new URL('./config-child.ts', import.meta.url));
/**
 * tsx's loader, so the child can import TypeScript the way the CLI does. Resolved on first use, not
 * at import: a Lambda bundle reaches this module through the config schema and has no tsx, and a
 * top-level resolve failed every such function at cold start (found by `npm run rehearse`).
 */
const tsxLoader = () => pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/**
 * Imports `path` in a child process and returns what became of it. The child is killed when the
 * time is up, so a hanging config leaves nothing behind.
 */
export function importInChild(
  path: string,
  timeoutMs: number,
  clock: WaitingClock | undefined,
): Promise<ImportOutcome> {
  return new Promise((resolve) => {
    let done = false;
    let answer: ImportOutcome | undefined;
    let stderr = '';
    const child = fork(CHILD, [path], {
      execArgv: ['--import', tsxLoader()],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    // Without an injected clock, a plain timer that is cleared on the answer and never keeps the
    // process alive (a 15 s sleep would hold every CLI command open that long).
    const timer = clock ? undefined : setTimeout(() => finish({ kind: 'timed-out' }), timeoutMs).unref();
    const finish = (outcome: ImportOutcome) => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      resolve(outcome);
    };
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4_000);
    });
    child.on('message', (message) => {
      answer = message as ImportOutcome;
    });
    child.on('error', (error) => finish({ kind: 'failed', message: error.message }));
    // The answer counts once the child has exited cleanly: a config that exits (even with 0) before
    // answering, or crashes after it, is reported as exiting.
    child.on('exit', (code, signal) => {
      if (answer && (code === 0 || answer.kind === 'failed')) return finish(answer);
      const last = stderr.trim().split('\n').filter(Boolean).at(-1);
      if (!answer && code === 1 && last && !/process\.exit/.test(last))
        return finish({ kind: 'failed', message: last });
      finish({ kind: 'exited', code: code ?? String(signal) });
    });
    if (clock) void clock.sleep(timeoutMs).then(() => finish({ kind: 'timed-out' }));
  });
}
