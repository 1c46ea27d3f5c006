import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliError } from './cli-error.js';

export interface HeadCommit {
  readonly root: string;
  readonly branch: string;
  readonly commit: string;
  readonly parents: string[];
  readonly author: { readonly name: string; readonly email: string };
  readonly message: string;
  readonly timestamp: string;
}

/** Longer messages are cut: an EventBridge entry must stay under 256 KiB with everything else. */
const MAX_MESSAGE = 16_384;

function git(dir: string, args: string[]): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trimEnd();
}

/** The repository's top directory; a one-line error when `dir` is not inside a git work tree. */
export function repositoryRoot(dir: string): string {
  const abs = resolve(dir);
  if (!existsSync(abs)) throw new CliError(`not a git repository: ${abs} does not exist`);
  try {
    return git(abs, ['rev-parse', '--show-toplevel']);
  } catch {
    throw new CliError(`not a git repository: ${abs}; run it inside a repository or pass --repo DIR`);
  }
}

/** HEAD as the commit event describes it. */
export function headCommit(dir: string): HeadCommit {
  const root = repositoryRoot(dir);
  let commit: string;
  try {
    commit = git(root, ['rev-parse', '--verify', '-q', 'HEAD']);
  } catch {
    throw new CliError(`${root} has no commits yet; commit something first`);
  }
  let branch: string;
  try {
    branch = git(root, ['symbolic-ref', '--short', '-q', 'HEAD']);
  } catch {
    throw new CliError(`HEAD is detached in ${root}; check out a branch to push it`);
  }
  const [, ...parents] = git(root, ['rev-list', '--parents', '-n', '1', commit]).split(' ');
  const [name = '', email = '', timestamp = '', ...body] = git(root, [
    'log',
    '-1',
    '--format=%an%x00%ae%x00%cI%x00%B',
    commit,
  ]).split('\0');
  return {
    root,
    branch,
    commit,
    parents: parents.filter(Boolean),
    author: { name, email },
    message: body.join('\0').trim().slice(0, MAX_MESSAGE),
    timestamp: new Date(timestamp).toISOString(),
  };
}
