import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  atGate,
  cli,
  cliJson,
  createTestRepo,
  ended,
  freePort,
  type ShownStage,
  startUp,
  untilShown,
  upPerTest,
  waitFor,
} from '../unit/cli/e2e-harness.js';

const session = upPerTest();

describe('tollgate releases, where, deploy and down against tollgate up', () => {
  it('deploys the previous release into prod through the prod gate, and where follows a feature ID in and out of prod', async () => {
    // Arrange: r1 (ORD-1) and r2 (ORD-2) in test and prod; r3 (ORD-3) in test, rejected at prod's gate
    const repo = await createTestRepo(['ana', 'Dev']);
    const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-cli-redeploy-'));
    session.dataDir = dataDir;
    session.up = await startUp(dataDir, repo.dir, await freePort());
    const dd = ['--data-dir', dataDir];
    const atProdGate = (run: string) =>
      untilShown(`run ${run} at the prod gate`, run, dataDir, atGate('prod'), 90_000);
    const finished = (run: string) => untilShown(`run ${run} to end`, run, dataDir, ended, 90_000);
    const release = async (message: string, file: string, decide: 'approve' | 'reject') => {
      repo.commit(message, { [file]: `${message}\n` });
      const { run } = await cliJson(['push', '--repo', repo.dir, ...dd]);
      const gate = await atProdGate(run);
      if (decide === 'approve') await cliJson(['approve', run, '--as', 'ana', ...dd]);
      else await cliJson(['reject', run, '--as', 'ana', '--reason', 'not yet', ...dd]);
      return { gate, shown: await finished(run) };
    };
    const r1 = await release('ORD-1: orders list', 'ONE.md', 'approve');
    const r2 = await release('ORD-2: faster refunds', 'TWO.md', 'approve');
    const r3 = await release('ORD-3: refunds export', 'THREE.md', 'reject');
    const runsBefore = (await cliJson(['runs', ...dd])).runs.length;

    // Act: refusals first (each one line, nothing started), then the redeploy
    const refusals = await Promise.all([
      cli(['deploy', 'r9-abcdef0', '--env', 'prod', ...dd], { cwd: repo.dir }),
      cli(['deploy', r1.shown.run.release, '--env', 'qa', ...dd], { cwd: repo.dir }),
      cli(['deploy', r1.shown.run.release, ...dd], { cwd: repo.dir }),
    ]);
    const runsAfterRefusals = (await cliJson(['runs', ...dd])).runs.length;
    const whereBefore = await cliJson(['where', 'ORD-2', ...dd]);
    const deployed = await cliJson(
      ['deploy', r1.shown.run.release, '--env', 'prod', '--reason', 'r2 is slow', '--as', 'ben', ...dd],
      { cwd: repo.dir },
    );
    const gate = await atProdGate(deployed.run);
    await cliJson(['approve', deployed.run, '--as', 'ana', ...dd]);
    const redeploy = await finished(deployed.run);
    const human = await cli(['show', deployed.run, ...dd]);
    const whereAfter = await cliJson(['where', 'ORD-2', ...dd]);
    const whereOne = await cliJson(['where', 'ORD-1', ...dd]);
    const whereNone = await cli(['where', 'ORD-99', ...dd]);
    const releases = await cliJson(['releases', ...dd]);
    const served = (await (await fetch(`http://127.0.0.1:${repo.ports.prod}/version`)).json()) as {
      digest: string;
    };
    const down = await cliJson(['down', ...dd]);

    // Assert: refusals
    for (const refused of refusals) {
      expect(refused.code).not.toBe(0);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(refusals[0]!.stderr).toMatch(/unknown release "r9-abcdef0"/);
    expect(refusals[1]!.stderr).toMatch(
      /unknown environment "qa"; this pipeline's environments are test, prod/,
    );
    expect(refusals[2]!.stderr).toMatch(/--env/);
    expect(runsAfterRefusals).toBe(runsBefore);

    // Assert: what each release carried, as the approver and show saw it
    expect(r2.gate.contents.find((c: { environment: string }) => c.environment === 'prod')).toMatchObject({
      since: r1.shown.run.release,
      listed: true,
      commits: [{ subject: 'ORD-2: faster refunds' }],
      features: [{ id: 'ORD-2' }],
    });
    expect(whereBefore.environments.map((e: { environment: string }) => e.environment)).toEqual([
      'test',
      'prod',
    ]);

    // Assert: the redeploy ran only in prod, without a build, through the gate, and serves r1
    expect(redeploy.run.status).toBe('SUCCEEDED');
    expect(redeploy.run.release).toBe(r1.shown.run.release);
    expect(redeploy.stages.some((s: ShownStage) => s.stage === 'build')).toBe(false);
    expect(
      new Set(redeploy.stages.filter((s: ShownStage) => s.environment).map((s: ShownStage) => s.environment)),
    ).toEqual(new Set(['prod']));
    expect(gate.redeploy).toEqual({
      environment: 'prod',
      requestedBy: 'ben',
      reason: 'r2 is slow',
      notPassed: [],
    });
    expect(
      redeploy.approvals.some(
        (a: { actor: string; outcome: string }) => a.actor === 'ana' && a.outcome === 'approved',
      ),
    ).toBe(true);
    expect(served.digest).toBe(r1.shown.run.digest);
    expect(human.stdout).toMatch(/redeploy to prod asked by ben: r2 is slow/);

    // Assert: where finds the feature in exactly the environments that run it
    expect(whereAfter.environments).toEqual([
      expect.objectContaining({ environment: 'test', version: r3.shown.run.release }),
    ]);
    expect(
      whereOne.environments.map((e: { environment: string; version: string }) => [e.environment, e.version]),
    ).toEqual([
      ['test', r3.shown.run.release],
      ['prod', r1.shown.run.release],
    ]);
    expect(whereNone.stdout).toMatch(/ORD-99 runs in no environment/);
    expect(
      releases.releases.map((r: { version: string; runningIn: string[] }) => [r.version, r.runningIn]),
    ).toEqual([
      [r3.shown.run.release, ['test']],
      [r2.shown.run.release, []],
      [r1.shown.run.release, ['prod']],
    ]);

    // Assert: down stopped the runtime and the apps it started
    expect(down.runtime).toEqual(expect.any(Number));
    await waitFor('tollgate up to exit', async () =>
      session.up!.child.exitCode === null ? undefined : true,
    );
    expect(down.apps.length).toBeGreaterThanOrEqual(2);
    await expect(fetch(`http://127.0.0.1:${repo.ports.prod}/version`)).rejects.toThrow();
  }, 600_000);
});
