import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliJson, freePort, startUp, upPerTest } from '../unit/cli/e2e-harness.js';
import {
  applyCommit,
  createScenarioRepo,
  loadScenario,
  readLedger,
  servedVersion,
  untilFinished,
  untilGate,
} from './scenario-support.js';

const session = upPerTest();

describe('scenario e-rapid-commits-superseded', () => {
  it('accounts for every one of three quickly pushed commits as a run or a recorded skip when concurrency is superseded', async () => {
    // Arrange
    const scenario = loadScenario('e-rapid-commits-superseded');
    // The second run sleeps on its lock token while the third commit arrives.
    const repo = await createScenarioRepo([{ name: 'test' }, { name: 'prod', approval: true }], {
      mode: scenario.concurrency,
    });
    const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-scenario-es-'));
    session.dataDir = dataDir;
    const dd = ['--data-dir', dataDir];
    session.up = await startUp(dataDir, repo.dir, await freePort());
    const pushed: Array<{ run: string; commit: string }> = [];
    const commitAndPush = async (id: string) => {
      const commit = await applyCommit(scenario, id, repo.dir);
      const { run } = await cliJson(['push', '--repo', repo.dir, ...dd]);
      pushed.push({ run, commit });
    };
    await commitAndPush(scenario.commits[0]!.id);
    await untilGate(pushed[0]!.run, 'prod', dd);

    // Act
    await commitAndPush(scenario.commits[1]!.id);
    await commitAndPush(scenario.commits[2]!.id);
    const first = await untilFinished(pushed[0]!.run, dd);
    const second = await untilFinished(pushed[1]!.run, dd);
    const step = scenario.commits[2]!.next[0]!;
    await untilGate(pushed[2]!.run, step.approve!, dd);
    await cliJson(['approve', pushed[2]!.run, '--env', step.approve!, '--as', step.as!, ...dd]);
    const third = await untilFinished(pushed[2]!.run, dd);
    const { runs } = await cliJson(['runs', ...dd]);
    const ledger = readLedger(dataDir);

    // Assert
    const [e1, e2, e3] = scenario.commits.map((c) => c.expect);
    expect(first.run.status).toBe(e1!.status);
    expect(first.stages.find((s) => s.status === 'failed')).toMatchObject(e1!.failed!);
    // The second run is woken the moment the first lets go (no poll delay), so the third commit
    // finds it still waiting (a recorded skip, the scenario's story), holding the lock (it stops at
    // its next environment, Tollgate.Superseded), or already at its gate (its approval is cancelled,
    // as the first run's was). All three are superseded mode; anything else is not.
    const secondSkipped = second.run.status === 'SUCCEEDED';
    if (secondSkipped) {
      expect(second.run.output).toMatchObject({ status: e2!.status, reason: { reason: e2!.reason } });
      expect(second.run.output.reason.detail).toBeTruthy();
    } else {
      expect(second.run.status).toBe('FAILED');
      expect(['Tollgate.Superseded', 'Tollgate.ApprovalCancelled']).toContain(second.run.error);
    }
    expect(third.run.status).toBe(e3!.status);
    expect(await servedVersion(repo.ports.prod!)).toBe(third.run.release);
    // Nothing dropped: every pushed commit is a run in `runs --json` ...
    expect(runs.map((r: { commit: string }) => r.commit).sort()).toEqual(pushed.map((p) => p.commit).sort());
    // ... and in the ledger, as a summary, a skip with its reason, or a cancelled approval.
    const cancelled = ledger.find(
      (e) => e.kind === 'approval-cancelled' && e.executionArn === first.run.executionArn,
    );
    expect(cancelled!.data.reason).toMatch(new RegExp(e1!.reason!));
    expect(cancelled!.data.reason).toContain(pushed[1]!.commit.slice(0, 7));
    const skipped = ledger.find(
      (e) => e.kind === 'run-skipped' && e.executionArn === second.run.executionArn,
    );
    if (secondSkipped) expect(skipped!.data.skip).toMatchObject({ reason: e2!.reason });
    const summarised = ledger.filter((e) => e.kind === 'run-summary').map((e) => e.executionArn);
    expect(summarised).toEqual(
      expect.arrayContaining([
        first.run.executionArn,
        third.run.executionArn,
        ...(secondSkipped ? [] : [second.run.executionArn]),
      ]),
    );
  }, 150_000);
});
