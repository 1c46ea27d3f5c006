import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeDir } from '../unit/cli/e2e-harness.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const EXAMPLE = join(ROOT, 'examples/orders-service');
const RUNNER = join(EXAMPLE, 'scenarios/run-scenario.mjs');
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) removeDir(dir);
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

function demoRepo(): { dir: string; git: (...args: string[]) => string } {
  const dir = tempDir('tollgate-scenario-runner-');
  cpSync(EXAMPLE, dir, {
    recursive: true,
    filter: (src) => !/[/\\](dist|node_modules|scenarios)([/\\]|$)/.test(src.slice(EXAMPLE.length)),
  });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git(
    '-c',
    'user.name=Demo',
    '-c',
    'user.email=demo@example.test',
    '-c',
    'commit.gpgsign=false',
    'commit',
    '-qm',
    'init',
  );
  return { dir, git };
}

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [RUNNER, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const scenarios = readdirSync(join(EXAMPLE, 'scenarios')).filter((d) => /^[a-z]-/.test(d));

describe('run-scenario.mjs', () => {
  it.each(scenarios)('commits every commit of %s with its author and message', (scenario) => {
    // Arrange
    const repo = demoRepo();

    // Act
    const result = run(scenario, '--repo', repo.dir, '--json');

    // Assert
    expect(result.stderr).toBe('');
    const applied = JSON.parse(result.stdout) as { commits: Array<{ commit: string; message: string }> };
    const log = repo.git('log', '--format=%H %an|%s', `-${applied.commits.length}`).split('\n').reverse();
    expect(log).toEqual(applied.commits.map((c) => `${c.commit} Dana Developer|${c.message}`));
    expect(repo.git('status', '--porcelain')).toBe('');
  });

  const refusals: Array<[string, (repo: string) => string[], RegExp]> = [
    ['no --repo', () => ['a-happy-path'], /--repo <demo repo> is required/],
    ['an unknown scenario', (repo) => ['z-nothing', '--repo', repo], /no scenario\.json in/],
    [
      'an unknown commit id',
      (repo) => ['b-bad-migration-fails-in-test', '--repo', repo, '--only', 'nope'],
      /has no commit "nope"/,
    ],
    ['an unknown option', (repo) => ['a-happy-path', '--repo', repo, '--force'], /unknown option --force/],
    [
      'a repository with uncommitted changes',
      (repo) => {
        writeFileSync(join(repo, 'DIRTY'), 'x');
        return ['a-happy-path', '--repo', repo];
      },
      /uncommitted changes/,
    ],
    [
      'a delete of a file the repository lacks',
      (repo) => ['c-health-degrades-in-staging', '--repo', repo, '--only', 'healthy-again'],
      /deletes src\/faults\.json, which .* does not have/,
    ],
    [
      'a path outside the repository',
      (repo) => [scenarioDir({ write: { '../escape.md': { content: 'x' } } }), '--repo', repo],
      /must be a relative path inside the repository/,
    ],
    ['a scenario that is not JSON', (repo) => [scenarioDir('{ nope'), '--repo', repo], /is not valid JSON/],
    [
      'a commit without an author',
      (repo) => [scenarioDir({ author: undefined }), '--repo', repo],
      /author must be \{name, email\}/,
    ],
    [
      'a file with both content and from',
      (repo) => [
        scenarioDir({
          write: { 'A.md': { content: 'x', from: '../bad-migration/0003_unique_lower_email.sql' } },
        }),
        '--repo',
        repo,
      ],
      /exactly one of content or from/,
    ],
  ];

  it.each(refusals)('refuses %s with one line and changes nothing', (_what, args, message) => {
    // Arrange
    const repo = demoRepo();
    const before = repo.git('rev-parse', 'HEAD');
    const status = () => repo.git('status', '--porcelain');
    const argv = args(repo.dir);
    const dirtyBefore = status();

    // Act
    const result = run(...argv);

    // Assert
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^run-scenario: /);
    expect(result.stderr).toMatch(message);
    expect(repo.git('rev-parse', 'HEAD')).toBe(before);
    expect(status()).toBe(dirtyBefore);
  });

  it('refuses a directory that is not a git repository', () => {
    // Arrange
    const dir = tempDir('tollgate-scenario-nogit-');

    // Act
    const result = run('a-happy-path', '--repo', dir);

    // Assert
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`run-scenario: --repo ${dir} is not a git repository`);
    expect(readdirSync(dir)).toEqual([]);
  });
});

/** A scenario directory outside the example, with one commit overridden (or raw text). */
function scenarioDir(commit: Record<string, unknown> | string): string {
  const dir = tempDir('tollgate-scenario-def-');
  mkdirSync(dir, { recursive: true });
  const text =
    typeof commit === 'string'
      ? commit
      : JSON.stringify({
          scenario: 'x-test',
          commits: [
            {
              id: 'one',
              author: { name: 'Dana Developer', email: 'dana@orders.example' },
              message: 'one',
              write: { 'A.md': { content: 'a\n' } },
              delete: [],
              ...commit,
            },
          ],
        });
  writeFileSync(join(dir, 'scenario.json'), text);
  return dir;
}
