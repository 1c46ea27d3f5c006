import { APPROVER, waitForGate } from './approvals.js';
import { canariesCompleted, canaryAborts, prodServesARelease } from './canary-scenarios.js';
import { serveFunctionUrl } from './function-url.js';
import {
  commit,
  decide,
  describe,
  exampleFile,
  failures,
  push,
  statesEntered,
  waitFor,
} from './pipeline-driver.js';
import type { Rehearsal } from './rehearsal.js';

export interface ScenarioResult {
  readonly name: string;
  readonly passed: boolean;
  readonly detail: string;
  readonly seconds: number;
}

export interface Context {
  readonly r: Rehearsal;
  readonly repo: string;
  readonly approveUrl: string;
}

export type Scenario = (c: Context) => Promise<string>;

/** (a) A commit goes to prod through the prod gate, approved through the signed approve URL. */
const happyPath: Scenario = async ({ r, repo, approveUrl }) => {
  const sha = commit(repo, 'Add a changelog', { write: { 'CHANGELOG.md': '# 1.1\n' } });
  const run = await push(r, repo, sha);
  const approval = await waitForGate(r, run, 'prod');
  const answer = await decide(approveUrl, APPROVER, approval.id, 'approve');
  if (answer.status !== 200)
    throw new Error(`approve URL answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  const end = await waitFor(r, run, (v) => v.status !== 'RUNNING', 'the run to end');
  if (end.status !== 'SUCCEEDED')
    throw new Error(`run ${end.status}: ${(await failures(r, run)).join(' | ')}`);
  const polls = (await statesEntered(r, run)).filter((s) => s === 'PollTests').length;
  if (polls === 0) throw new Error("test's integration suite never ran (no PollTests)");
  return `SUCCEEDED; test's integration suite passed in a CodeBuild build (${polls} polls); approved as ${APPROVER.sessionArn}`;
};

/** (e) A failing integration test in test's test stage stops the run there and rolls test back. */
const failingTestStage: Scenario = async ({ r, repo }) => {
  const before = r.ecs.serving('orders', 'orders-test')?.containerDefinitions?.[0]?.image;
  const sha = commit(repo, 'Discounts for returning customers', {
    write: {
      'tests/discount.test.mjs': [
        "import assert from 'node:assert/strict';",
        "import { test } from 'node:test';",
        "test('applies the returning-customer discount', () => assert.equal(90, 100));",
        '',
      ].join('\n'),
    },
  });
  const run = await push(r, repo, sha);
  const end = await waitFor(r, run, (v) => v.status !== 'RUNNING', 'the run to end');
  if (end.status !== 'FAILED') throw new Error(`expected FAILED, run ${end.status}`);
  const fails = await failures(r, run);
  const testsFailed = fails.find((f) => f.includes('Tollgate.TestsFailed'));
  if (!testsFailed?.includes('applies the returning-customer discount'))
    throw new Error(`expected Tollgate.TestsFailed naming the failing test: ${fails.join(' | ')}`);
  const states = await statesEntered(r, run);
  if (!states.includes('Rollback'))
    throw new Error(`test was not rolled back: ${states.slice(-8).join(' → ')}`);
  if (states.includes('ApprovalGate')) throw new Error('the run went past test');
  const now = r.ecs.serving('orders', 'orders-test')?.containerDefinitions?.[0]?.image;
  if (now !== before) throw new Error(`test serves ${now}, not ${before} as before the run`);
  commit(repo, 'Fix the discount test', { delete: ['tests/discount.test.mjs'] });
  return `FAILED at test's test stage (${testsFailed.slice(0, 160)}…); test serves ${before} again`;
};

/** (b) A migration that breaks on prod's data fails in test; test's data is restored, prod untouched. */
const badMigration: Scenario = async ({ r, repo }) => {
  const before = await r.clusterOf('test');
  const sha = commit(repo, 'Enforce unique e-mail addresses', {
    write: {
      'migrations/0003_unique_lower_email.sql': exampleFile(
        'scenarios/bad-migration/0003_unique_lower_email.sql',
      ),
    },
  });
  const run = await push(r, repo, sha);
  const end = await waitFor(r, run, (v) => v.status !== 'RUNNING', 'the run to end');
  const states = await statesEntered(r, run);
  if (end.status !== 'FAILED') throw new Error(`expected FAILED, run ${end.status}`);
  if (
    !String(end.cause ?? '').includes('MigrationFailed') &&
    !(await failures(r, run)).some((f) => f.includes('MigrationFailed'))
  )
    throw new Error(`expected Tollgate.MigrationFailed in test: ${(await failures(r, run)).join(' | ')}`);
  if (!states.includes('RestoreData'))
    throw new Error(`test's data was never restored (states: ${states.slice(-8).join(' → ')})`);
  if (states.includes('ApprovalGate')) throw new Error('the run went past test');
  const after = await r.clusterOf('test');
  // The next scenarios build on this repository: take the migration out, as its author would.
  commit(repo, 'Drop the unique e-mail migration', { delete: ['migrations/0003_unique_lower_email.sql'] });
  return `FAILED in test with Tollgate.MigrationFailed; test served from ${before} before, ${after} after the restore`;
};

/** (c) Smoke tests fail in staging after a successful rollout: ECS goes back to what ran before. */
const smokeRollback: Scenario = async ({ r, repo }) => {
  const before = r.ecs.serving('orders', 'orders-staging');
  const previous = before?.containerDefinitions?.[0]?.image;
  const sha = commit(repo, 'Pool database connections per request', {
    write: { 'src/faults.json': '{ "healthDegradesIn": ["staging"] }\n' },
  });
  const run = await push(r, repo, sha);
  const end = await waitFor(r, run, (v) => v.status !== 'RUNNING', 'the run to end');
  if (end.status !== 'FAILED') throw new Error(`expected FAILED, run ${end.status}`);
  const fails = await failures(r, run);
  if (!fails.some((f) => f.includes('SmokeTestFailed')))
    throw new Error(`expected Tollgate.SmokeTestFailed in staging: ${fails.join(' | ')}`);
  const now = r.ecs.serving('orders', 'orders-staging');
  // A rollback to an earlier Tollgate release registers that release again (a new revision, tagged
  // for the audit); what must come back is the image that ran before.
  if (now?.containerDefinitions?.[0]?.image !== previous)
    throw new Error(
      `staging serves ${now?.taskDefinitionArn} (${now?.containerDefinitions?.[0]?.image}), not the image of ${before?.taskDefinitionArn} (${previous})`,
    );
  commit(repo, 'Revert the per-request pool', { delete: ['src/faults.json'] });
  return `FAILED at staging's smoke tests; staging serves ${previous} again (${now.taskDefinitionArn}, was ${before?.taskDefinitionArn})`;
};

/**
 * (d) A second commit waits behind the first, which holds the lock at the prod gate; in prod each
 * release runs as a canary through every step (10 %, 50 %, then the service takes it over).
 */
const queued: Scenario = async (c) => {
  const { r, repo, approveUrl } = c;
  // Both releases replace another in prod, so both run as canaries there (see canary-scenarios).
  const route = await prodServesARelease(c);
  const before = r.ecs.serving(route.cluster, route.service)?.taskDefinitionArn;
  const from = r.alb.moves.length;
  const first = await push(r, repo, commit(repo, 'First of two', { write: { 'NOTES.md': 'one\n' } }));
  const second = await push(r, repo, commit(repo, 'Second of two', { write: { 'NOTES.md': 'two\n' } }));
  const gate = await waitForGate(r, first, 'prod');
  const waiting = await statesEntered(r, second);
  if (waiting.includes('Build')) throw new Error('the second run built while the first held the lock');
  if (!waiting.includes('WaitForLock'))
    throw new Error(`the second run is not waiting for the lock: ${waiting.join(' → ')}`);
  await decide(approveUrl, APPROVER, gate.id, 'approve');
  const end1 = await waitFor(r, first, (v) => v.status !== 'RUNNING', 'the first run to end');
  if (end1.status !== 'SUCCEEDED')
    throw new Error(`first run ${end1.status}: ${(await failures(r, first)).join(' | ')}`);
  const gate2 = await waitForGate(r, second, 'prod');
  await decide(approveUrl, APPROVER, gate2.id, 'approve');
  const end2 = await waitFor(r, second, (v) => v.status !== 'RUNNING', 'the second run to end');
  if (end2.status !== 'SUCCEEDED')
    throw new Error(`second run ${end2.status}: ${(await failures(r, second)).join(' | ')}`);
  const canaries = await canariesCompleted(r, route, 2, from, before);
  return `the second run waited at WaitForLock until the first ended, then went to prod; ${canaries}`;
};

const SCENARIOS: ReadonlyArray<{ name: string; run: Scenario }> = [
  { name: 'happy path to prod through the signed approve URL', run: happyPath },
  { name: 'bad migration fails in test, test data restored', run: badMigration },
  { name: 'smoke failure in staging rolls ECS back (first release)', run: smokeRollback },
  { name: 'second commit queued behind the gate, both through the canary in prod', run: queued },
  { name: 'failing integration test in test rolls test back', run: failingTestStage },
  { name: 'failing canary in prod aborts at step 1 on CloudWatch', run: canaryAborts },
];

/** Runs the scenarios in order on one rehearsal (each starts from what the previous one left). */
export async function runScenarios(r: Rehearsal, only?: readonly string[]): Promise<ScenarioResult[]> {
  const repo = (r as Rehearsal & { repoDir: string }).repoDir;
  const policy = r.model.ofType('AWS::IAM::ManagedPolicy').find((id) => /Approver/.test(id))!;
  r.iam.addRole(APPROVER.roleArn, [
    { name: policy, document: r.model.resolve(r.model.resources[policy].Properties.PolicyDocument) },
  ]);
  const url = await serveFunctionUrl(r.fn('ApproveHandler'), r.host, r.iam, APPROVER);
  const results: ScenarioResult[] = [];
  try {
    for (const s of SCENARIOS) {
      if (only?.length && !only.some((o) => s.name.includes(o))) continue;
      const t0 = Date.now();
      try {
        const detail = await s.run({ r, repo, approveUrl: url.url });
        results.push({ name: s.name, passed: true, detail, seconds: (Date.now() - t0) / 1000 });
      } catch (error) {
        results.push({
          name: s.name,
          passed: false,
          detail: (error as Error).message,
          seconds: (Date.now() - t0) / 1000,
        });
      }
    }
  } finally {
    await url.close();
  }
  void describe;
  return results;
}
