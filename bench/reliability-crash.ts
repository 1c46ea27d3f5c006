import { type CampaignRun, type KillPlan, runWithKill } from '../test/support/pipeline-crash-campaign.js';
import type { BenchResult } from './bench-row.js';

/**
 * The crash campaign at full size: a reference run without a kill counts the states a full
 * pipeline run enters (data refresh and masking in test and staging, the prod approval gate,
 * deploys); then one run per state and per fault — `kill -9`, SIGTERM, and `kill -9` followed by a
 * second `kill -9` while the restarted runtime recovers — each killed once at that state and started
 * again on the same data directory. A run counts as expected when it ends as the reference did
 * (SUCCEEDED), with one MapStateStarted and no Tollgate.ImmutableConflict; an environment counts as
 * unmasked when any of its customers still holds a prod e-mail, name or phone.
 *
 * About 80 s per run on 2 cores, so the full campaign is hours; `quick` kills at three states only.
 */
export async function benchCrash(opts: { quick: boolean }): Promise<BenchResult> {
  const reference = await runWithKill({ signal: 'SIGKILL' });
  const states = reference.statesEntered;
  const plans: KillPlan[] = [];
  const points = opts.quick
    ? [Math.round(states / 4), Math.round(states / 2), Math.round((3 * states) / 4)]
    : Array.from({ length: states - 1 }, (_, i) => i + 1);
  for (const afterStates of points) {
    plans.push({ afterStates, signal: 'SIGKILL' }, { afterStates, signal: 'SIGTERM' });
    plans.push({ afterStates, signal: 'SIGKILL', duringRecovery: true });
  }
  const runs: CampaignRun[] = [];
  for (const plan of plans) runs.push(await runWithKill(plan));
  const injected = runs.filter((r) => r.killedAt !== undefined);
  const expected = runs.filter(
    (r) => r.status === reference.status && r.immutableConflicts === 0 && r.mapStarts === 1,
  );
  const unmasked = runs.reduce((n, r) => n + r.unmasked.length, reference.unmasked.length);
  const peak = Math.max(reference.peakRssKb, ...runs.map((r) => r.peakRssKb));
  return {
    rows: [
      { name: 'states entered by a full run', value: states, unit: 'states' },
      {
        name: 'faults injected (kill -9, SIGTERM, kill during recovery)',
        value: injected.length,
        unit: 'runs',
      },
      {
        name: 'runs completed as without the kill',
        value: expected.length,
        unit: `of ${runs.length}`,
        target: `${runs.length}`,
        met: expected.length === runs.length,
      },
      {
        name: 'runs that ended otherwise',
        value:
          runs
            .map((r, i) => ({ r, plan: plans[i] }))
            .filter(({ r }) => !expected.includes(r))
            .map(({ r, plan }) => `${describePlan(plan)}: ${r.status}${r.failure ? ` (${r.failure})` : ''}`)
            .join('; ') || 'none',
        unit: '',
      },
      { name: 'environments left unmasked', value: unmasked, unit: 'envs', target: '0', met: unmasked === 0 },
      { name: 'peak RSS of the runtime', value: Math.round(peak / 1024), unit: 'MiB' },
    ],
  };
}

function describePlan(plan: KillPlan): string {
  const where = plan.atGate ? 'at the gate' : `after ${plan.afterStates} states`;
  return `${plan.signal}${plan.duringRecovery ? ' + kill during recovery' : ''} ${where}`;
}
