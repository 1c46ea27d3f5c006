import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../functions/shared/config/index.js';
import { cli } from '../e2e-harness.js';

const CONFIG_MODULE = new URL('../../../../functions/shared/config/index.ts', import.meta.url).pathname;

/** A directory holding `files`, optionally a git repository. */
function workdir(files: Record<string, string>, gitRepo = true): string {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-init-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  if (gitRepo) execFileSync('git', ['init', '-q', '-b', 'trunk'], { cwd: dir });
  return dir;
}

const snapshot = (dir: string) =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((p) => !p.startsWith('.git'))
    .sort()
    .map((p) => [p, readFileSync(join(dir, p), { encoding: 'utf8', flag: 'r' }).length]);

describe('tollgate init', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('writes a config the schema accepts from the scripts, migrations and health route it finds', async () => {
    // Arrange
    const dir = workdir({
      'package.json': JSON.stringify({
        name: '@acme/Orders_API',
        scripts: { build: 'tsc', start: 'node dist/main.js' },
      }),
      'package-lock.json': '{}',
      'db/migrations/0001_init.sql': 'create table t (id int);',
      'src/routes.ts': "router.get('/healthz', ok);",
      '.gitignore': 'node_modules',
    });
    dirs.push(dir);
    // Act
    const result = await cli(['init', '--repo', dir, '--base-port', '5100']);
    // Assert
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('npx tollgate up');
    expect(result.stdout).toContain('npx tollgate hook install');
    const text = readFileSync(join(dir, 'tollgate.config.ts'), 'utf8');
    expect(text).toContain("from 'tollgate/config'");
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('node_modules\n.tollgate/\ncdk.out/\n');
    writeFileSync(
      join(dir, 'tollgate.config.ts'),
      text.replace("'tollgate/config'", JSON.stringify(CONFIG_MODULE)),
    );
    const config = await loadConfig(dir);
    expect(config.name).toBe('orders-api');
    expect(config.source.branches).toEqual(['trunk']);
    expect(config.build.command).toBe(
      'npm ci && npm run build && npm prune --omit=dev && out=$(mktemp -d) && ' +
        'tar -czf "$out/release.tgz" --exclude=./.git . && mv "$out/release.tgz" release.tgz',
    );
    expect(config.database?.migrations).toBe('db/migrations');
    expect(config.environments.map((e) => [e.name, e.deploy])).toEqual([
      ['test', { type: 'process', command: 'npm start', port: 5100, healthPath: '/healthz' }],
      ['prod', { type: 'process', command: 'npm start', port: 5102, healthPath: '/healthz' }],
    ]);
    expect(config.environments[0]!.database).toMatchObject({ refresh: true, port: 5110 });
    expect(config.smokeTests.map((s) => s.path)).toEqual(['/healthz']);
  });

  it('adds only the generated paths .gitignore does not ignore yet, and says which', async () => {
    // Arrange
    const dir = workdir({ 'package.json': '{}', '.gitignore': '/.tollgate\r\nnode_modules/' });
    dirs.push(dir);
    // Act
    const result = await cli(['init', '--repo', dir, '--json']);
    // Assert
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).gitignore).toEqual(['cdk.out/']);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('/.tollgate\r\nnode_modules/\ncdk.out/\n');
  });

  it.each([
    ['an existing config', { 'package.json': '{}', 'tollgate.config.ts': '// mine' }, true, /already exists/],
    ['a directory that is not a git repository', { 'package.json': '{}' }, false, /not in a git repository/],
    ['a repository without package.json', { 'README.md': 'x' }, true, /has no package\.json/],
  ])('refuses %s in one line and changes nothing', async (_, files, gitRepo, message) => {
    // Arrange
    const dir = workdir(files, gitRepo);
    dirs.push(dir);
    const before = snapshot(dir);
    // Act
    const result = await cli(['init', '--repo', dir]);
    // Assert
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stdout).toBe('');
    expect(snapshot(dir)).toEqual(before);
  });
});
