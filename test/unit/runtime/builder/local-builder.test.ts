import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileTaskLogs } from '../../../../functions/shared/adapters/local/file-task-logs.js';
import { ManualClock } from '../../../../functions/shared/clock.js';
import { parseConfig } from '../../../../functions/shared/config/index.js';
import { createLocalBuilder } from '../../../../runtime/builder/local-builder.js';
import { FakeEngineClock } from '../../../../runtime/engine/clock.js';
import { validConfig } from '../../../support/config-fixtures.js';
import { createGitRepo } from '../../../support/git-repo.js';

function setup(
  buildCommand = 'mkdir -p dist && cat app.txt > dist/release.tgz',
  timeout?: string,
  taskLog?: FileTaskLogs,
) {
  const repo = createGitRepo({ 'app.txt': 'v1\n' });
  const first = repo.commit('first');
  const root = mkdtempSync(join(tmpdir(), 'tollgate-builder-'));
  const config = parseConfig(
    validConfig({
      build: { command: buildCommand, artifact: 'dist/release.tgz', ...(timeout ? { timeout } : {}) },
    }),
  );
  const timers = new FakeEngineClock(Date.parse('2026-01-01T00:00:00Z'));
  const build = createLocalBuilder({
    config,
    repositories: { 'orders-service': repo.dir },
    artifactsRoot: join(root, 'artifacts'),
    logsDir: join(root, 'logs'),
    clock: new ManualClock(),
    timers,
    ...(taskLog ? { taskLog } : {}),
  });
  const args = (commit: string, key = `builds/orders-service/${commit}/release.tgz`) => ({
    ProjectName: 'orders-service-build',
    SourceVersion: commit,
    EnvironmentVariablesOverride: [
      { Name: 'TOLLGATE_ARTIFACT_KEY', Value: key, Type: 'PLAINTEXT' },
      {
        Name: 'TOLLGATE_EXECUTION_ARN',
        Value: 'arn:aws:states:us-east-1:0:execution:p:run-1',
        Type: 'PLAINTEXT',
      },
      { Name: 'TOLLGATE_STATE_NAME', Value: 'Build', Type: 'PLAINTEXT' },
    ],
  });
  return { repo, first, root, build, args, timers };
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

  it("writes the build's output line by line to the run's task log under its state, as a task's log", async () => {
    // Arrange: lines split across writes, a character split between two of them, no final newline;
    // stderr writes between the halves of a stdout line (the pipes are read in no fixed order)
    const logs = new FileTaskLogs({ dir: mkdtempSync(join(tmpdir(), 'tollgate-build-logs-')) });
    const script = [
      "printf 'compiling 3 files\\nwarn'",
      "printf 'deprecated: --old-flag\\n' >&2",
      "printf 'ing: unused import\\n'",
      "printf '\\303'",
      "printf '\\251t\\303\\251\\n'",
      'mkdir -p dist && cat app.txt > dist/release.tgz',
      "printf 'done'",
    ].join(' && ');
    const { first, build, args } = setup(script, undefined, logs);
    // Act
    await build(args(first));
    const page = await logs.read('arn:aws:states:us-east-1:0:execution:p:run-1');
    // Assert
    // The build command's own lines: after its `$ sh -c …` line, before the worktree's removal.
    const messages = page.lines.map((l) => l.message);
    const from = messages.findIndex((m) => m.startsWith('$ sh -c'));
    const output = page.lines.slice(
      from + 1,
      messages.findIndex((m, i) => i > from && m.startsWith('$ ')),
    );
    const stderrLine = 'deprecated: --old-flag';
    expect(output.map((l) => l.message).filter((m) => m !== stderrLine)).toEqual([
      'compiling 3 files',
      'warning: unused import',
      'été',
      'done',
    ]);
    expect(output.filter((l) => l.message === stderrLine)).toHaveLength(1);
    expect(new Set(page.lines.map((l) => [l.state, l.service, l.level].join(' ')))).toEqual(
      new Set(['Build build INFO']),
    );
    expect(page.lines[0]!.message).toMatch(/^\$ git -C .* worktree add --detach/);
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

  // A build that starts a child in the background and then hangs: both must die.
  const HANGING = 'sleep 300 & echo $! > "$TOLLGATE_PIDS"; echo "started"; sleep 300';

  // A killed child whose parent died is reparented and may linger as a zombie until reaped: dead.
  const alive = (pid: number) => {
    const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
    return stat !== '' && !/^\d+ \(.*\) [ZX]/.test(stat);
  };

  async function backgroundPid(file: string): Promise<number> {
    // Waits on the real child process to have started (it writes the file), not on time.
    for (let i = 0; i < 500 && !/^\d+\n/.test(existsSync(file) ? readFileSync(file, 'utf8') : ''); i++)
      await new Promise((r) => setTimeout(r, 10));
    return Number(readFileSync(file, 'utf8'));
  }

  it('stops the build with its whole process tree when it runs past build.timeout', async () => {
    // Arrange
    const pids = join(mkdtempSync(join(tmpdir(), 'tollgate-pids-')), 'pids');
    process.env.TOLLGATE_PIDS = pids;
    const logs = new FileTaskLogs({ dir: mkdtempSync(join(tmpdir(), 'tollgate-build-logs-')) });
    const { first, build, args, timers } = setup(HANGING, '2m', logs);
    const outcome = build(args(first));
    outcome.catch(() => undefined);
    const background = await backgroundPid(pids);
    // The pid file exists once its redirect opened it; "started" is read back once the build has
    // written it, so the timeout below fires on a build that said so (as a slow one would).
    for (let i = 0; i < 500; i++) {
      const { lines } = await logs.read('arn:aws:states:us-east-1:0:execution:p:run-1');
      if (lines.some((l) => l.message === 'started')) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    // Act
    timers.advanceTo(timers.now() + 121_000);
    // Assert
    await expect(outcome).rejects.toMatchObject({ name: 'Tollgate.BuildFailed' });
    await expect(outcome).rejects.toThrow(
      /stopped with its whole process tree: .*longer than build.timeout \(120s\).*started/,
    );
    expect(alive(background)).toBe(false);
  });

  it('stops the build of a run that ended, with its whole process tree, and leaves other runs alone', async () => {
    // Arrange
    const pids = join(mkdtempSync(join(tmpdir(), 'tollgate-pids-')), 'pids');
    process.env.TOLLGATE_PIDS = pids;
    const { first, build, args } = setup(HANGING);
    const outcome = build(args(first));
    outcome.catch(() => undefined);
    const background = await backgroundPid(pids);
    // Act
    const other = await build.cancel('arn:aws:states:us-east-1:0:execution:p:run-2', 'its run ended ABORTED');
    const stopped = await build.cancel(
      'arn:aws:states:us-east-1:0:execution:p:run-1',
      'its run ended ABORTED',
    );
    // Assert
    expect([other, stopped]).toEqual([0, 1]);
    await expect(outcome).rejects.toThrow(/stopped with its whole process tree: its run ended ABORTED/);
    expect(alive(background)).toBe(false);
  });

  it('keeps the head and the tail of a huge build output, says how much it dropped, and quotes only the tail', async () => {
    // Arrange: 12 MB of output on one line, then the real error
    const { first, root, build, args } = setup(
      `head -c 12000000 /dev/zero | tr '\\0' x; echo; echo "the real error" >&2; exit 2`,
    );
    // Act
    const outcome = build(args(first));
    // Assert
    const error = await outcome.then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/exited with 2: …x+ \| the real error \(earlier output: .*\.log\)$/);
    expect(error!.message.length).toBeLessThan(3_000);
    const logs = join(root, 'logs', 'builds');
    const log = readFileSync(join(logs, readdirSync(logs)[0]!), 'utf8');
    expect(log.length).toBeLessThan(4 * 1024 * 1024 + 70 * 1024);
    expect(log).toMatch(/\[\.\.\. \d+ bytes of build output dropped; the last 65536 follow \.\.\.\]/);
    expect(log).toContain('the real error');
  });
});
