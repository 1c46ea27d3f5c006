import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A real git repository in a temp dir, for tests that need commits. */
export function createGitRepo(files: Record<string, string>): {
  dir: string;
  commit: (msg: string, files?: Record<string, string>) => string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-repo-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'dev@example.test');
  git('config', 'user.name', 'Dev');
  const commit = (message: string, more: Record<string, string> = {}) => {
    for (const [name, content] of Object.entries(more)) writeFileSync(join(dir, name), content);
    git('add', '-A');
    git('commit', '-q', '-m', message);
    return git('rev-parse', 'HEAD');
  };
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return { dir, commit };
}
