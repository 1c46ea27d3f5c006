import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HOOK_MARKER = '# tollgate: post-commit hook';
const BIN = fileURLToPath(new URL('../../bin/tollgate.js', import.meta.url));

export class HookConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HookConflictError';
  }
}

/**
 * Writes a post-commit hook that emits the commit event. It calls this checkout's bin by absolute
 * path with this node, because `npx tollgate` inside the repository would resolve the
 * repository's own package.json, not Tollgate. A failed push never fails the commit.
 */
export function installPostCommitHook(root: string, options: { dataDir: string; endpoint?: string }): string {
  const hooksDir = execFileSync('git', ['rev-parse', '--git-path', 'hooks'], {
    cwd: root,
    encoding: 'utf8',
  }).trim();
  const dir = isAbsolute(hooksDir) ? hooksDir : join(root, hooksDir);
  const path = join(dir, 'post-commit');
  if (existsSync(path) && !readFileSync(path, 'utf8').includes(HOOK_MARKER)) {
    throw new HookConflictError(
      `${path} exists and was not written by Tollgate; add \`npx tollgate push\` to it yourself`,
    );
  }
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = [
    q(process.execPath),
    q(BIN),
    'push',
    '--repo',
    '"$(git rev-parse --show-toplevel)"',
    '--data-dir',
    q(options.dataDir),
    ...(options.endpoint ? ['--endpoint', q(options.endpoint)] : []),
  ].join(' ');
  const script = [
    '#!/bin/sh',
    HOOK_MARKER,
    '# Emits the tollgate.git "Commit Pushed" event for every commit. Written by `tollgate hook install`.',
    `${command} 1>&2 || echo "tollgate: the commit event was not sent; run \\\`npx tollgate push\\\` once the runtime is up" >&2`,
    'exit 0',
    '',
  ].join('\n');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path, script, { mode: 0o755 });
  chmodSync(path, 0o755);
  return path;
}
