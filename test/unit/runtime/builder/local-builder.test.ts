import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../functions/shared/clock.js';
import { parseConfig } from '../../../../functions/shared/config/index.js';
import { createLocalBuilder } from '../../../../runtime/builder/local-builder.js';
import { validConfig } from '../../../support/config-fixtures.js';
import { createGitRepo } from '../../../support/git-repo.js';

function setup(buildCommand = 'mkdir -p dist && cat app.txt > dist/release.tgz') {
  const repo = createGitRepo({ 'app.txt': 'v1\n' });
  const first = repo.commit('first');
  const root = mkdtempSync(join(tmpdir(), 'tollgate-builder-'));
  const config = parseConfig(validConfig({ build: { command: buildCommand, artifact: 'dist/release.tgz' } }));
  const build = createLocalBuilder({
    config,
    repositories: { 'orders-service': repo.dir },
    artifactsRoot: join(root, 'artifacts'),
    logsDir: join(root, 'logs'),
    clock: new ManualClock(),
  });
  const args = (commit: string, key = `builds/orders-service/${commit}/release.tgz`) => ({
    ProjectName: 'orders-service-build',
    SourceVersion: commit,
    EnvironmentVariablesOverride: [{ Name: 'TOLLGATE_ARTIFACT_KEY', Value: key, Type: 'PLAINTEXT' }],
  });
  return { repo, first, root, build, args };
}

describe('createLocalBuilder', () => {
  it('builds the exact commit in a clean worktree, ignoring uncommitted changes', async () => {
    // Arrange
    const { repo, first, root, build, args } = setup();
    const second = repo.commit('second', { 'app.txt': 'v2\n' });
    writeFileSync(join(repo.dir, 'app.txt'), 'uncommitted\n');
    // Act
    const r1 = await build(args(first));
    const r2 = await build(args(second));
    // Assert
    expect(readFileSync(join(root, 'artifacts', `builds/orders-service/${first}/release.tgz`), 'utf8')).toBe(
      'v1\n',
    );
    expect(readFileSync(join(root, 'artifacts', `builds/orders-service/${second}/release.tgz`), 'utf8')).toBe(
      'v2\n',
    );
    expect(r1.Build).toMatchObject({ BuildStatus: 'SUCCEEDED', SourceVersion: first });
    expect(r2.Build.Artifacts.Location).toBe(`builds/orders-service/${second}/release.tgz`);
  });

  it('fails with Tollgate.BuildFailed and the output tail when the build command fails', async () => {
    // Arrange
    const { first, root, build, args } = setup('echo compiling; echo "syntax error in app" >&2; exit 3');
    // Act
    const outcome = build(args(first));
    // Assert
    await expect(outcome).rejects.toMatchObject({ name: 'Tollgate.BuildFailed' });
    await expect(outcome).rejects.toThrow(/exited with 3: .*syntax error in app/);
    expect(existsSync(join(root, 'artifacts', `builds/orders-service/${first}`))).toBe(false);
  });

  it('fails clearly when the command does not produce the artifact', async () => {
    const { first, build, args } = setup('true');
    await expect(build(args(first))).rejects.toThrow(/did not produce build.artifact "dist\/release.tgz"/);
  });

  it('rejects a malformed commit id without running anything', async () => {
    const { build, args, root } = setup();
    await expect(build(args('not-a-commit'))).rejects.toMatchObject({ name: 'Tollgate.InvalidInput' });
    expect(existsSync(join(root, 'logs'))).toBe(false);
  });

  it('fails with Tollgate.BuildFailed for a commit the repository does not have', async () => {
    const { build, args } = setup();
    await expect(build(args('f'.repeat(40)))).rejects.toMatchObject({ name: 'Tollgate.BuildFailed' });
  });
});
