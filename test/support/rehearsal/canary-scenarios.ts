import { APPROVER, waitForGate } from './approvals.js';
import { commit, decide, failures, push, waitFor } from './pipeline-driver.js';
import type { Rehearsal } from './rehearsal.js';
import type { Context, Scenario } from './scenarios.js';

const ENV = 'prod';

/** Pushes a commit, approves it at prod's gate and waits for the run's end. */
async function throughProd(c: Context, message: string, change: Parameters<typeof commit>[2]) {
  const run = await push(c.r, c.repo, commit(c.repo, message, change));
  const gate = await waitForGate(c.r, run, ENV);
  const answer = await decide(c.approveUrl, APPROVER, gate.id, 'approve');
  if (answer.status !== 200)
    throw new Error(`approve URL answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  const end = await waitFor(c.r, run, (v) => v.status !== 'RUNNING', 'the run to end');
  return { run, status: end.status };
}

/**
 * A canary needs a Tollgate release serving to compare with (a first deploy replaces): when prod
 * still runs what ran before Tollgate (a scenario picked alone), one release goes there first.
 */
export async function prodServesARelease(c: Context) {
  const route = canaryRoute(c.r);
  const image = c.r.ecs.serving(route.cluster, route.service)?.containerDefinitions?.[0]?.image ?? '';
  if (!image.endsWith(':baseline')) return route;
  const first = await throughProd(c, 'First release in prod', { write: { 'NOTES.md': 'first\n' } });
  if (first.status !== 'SUCCEEDED')
    throw new Error(
      `the first release to prod ${first.status}: ${(await failures(c.r, first.run)).join(' | ')}`,
    );
  return route;
}

function canaryRoute(r: Rehearsal) {
  const route = r.canaryRoutes.find((x) => x.environment === ENV);
  if (!route)
    throw new Error(`the rehearsal config gives ${ENV} no canary (deploy.canary and a canary strategy)`);
  return route;
}

/** After the run: all weight on the service's target group, none on the canary's, the canary at 0 tasks. */
async function backOnTheService(r: Rehearsal, route: ReturnType<typeof canaryRoute>) {
  const weights = await r.alb.weightsOf(ENV);
  if (weights.canary !== 0 || weights.baseline === 0)
    throw new Error(
      `the listener rule ends at ${JSON.stringify(weights)}, not all on the baseline target group`,
    );
  const tasks = r.ecs.desiredCount(route.cluster, route.canaryService);
  if (tasks !== 0) throw new Error(`${route.canaryService} still asks for ${tasks} task(s)`);
}

/**
 * What `runs` canaries that all passed leave (the queued scenario's two releases): the rule's weights
 * in moto moved 10 %, 50 %, then 100 % while prod's service took over the canary's task definition,
 * and back to the service's target group, per run; each step was judged on the target groups'
 * CloudWatch metrics. `from` is `r.alb.moves.length` and `before` prod's task definition before them.
 */
export async function canariesCompleted(
  r: Rehearsal,
  route: ReturnType<typeof canaryRoute>,
  runs: number,
  from: number,
  before: string | undefined,
): Promise<string> {
  const moves = r.alb.moves.slice(from).filter((m) => m.environment === ENV);
  const percents = moves.map((m) => m.canaryPercent).join(' → ');
  const expected = Array.from({ length: runs }, () => '10 → 50 → 100 → 0').join(' → ');
  if (percents !== expected) throw new Error(`the rule's canary weight moved ${percents}, not ${expected}`);
  const first = moves[0]!.served.canary;
  if (first.requests !== 20 || first.errors !== 0)
    throw new Error(
      `at 10 % the canary answered ${first.requests} requests (${first.errors} 5xx), not 20 without error`,
    );
  await backOnTheService(r, route);
  const serving = r.ecs.serving(route.cluster, route.service)?.taskDefinitionArn;
  const canaryRan = r.ecs.serving(route.cluster, route.canaryService)?.taskDefinitionArn;
  if (serving === before || serving !== canaryRan)
    throw new Error(`${route.service} serves ${serving} (was ${before}), not the canary's ${canaryRan}`);
  return `each through prod's canary steps (weights ${percents} % on the canary's target group); ${route.service} runs the last canary's ${serving?.split('/').pop()}, ${route.canaryService} at 0 tasks`;
}

/**
 * (f) A release whose GET /orders fails under load passes test, staging and the smoke tests; in
 * prod its canary's 5xx rate at 10 % (read from CloudWatch) aborts the run at step 1.
 */
export const canaryAborts: Scenario = async (c) => {
  const route = await prodServesARelease(c);
  const before = c.r.ecs.serving(route.cluster, route.service)?.taskDefinitionArn;
  const from = c.r.alb.moves.length;
  const { run, status } = await throughProd(c, 'Pool connections per order query', {
    write: { 'src/faults.json': '{ "ordersFailUnderLoadIn": ["prod"] }\n' },
  });
  if (status !== 'FAILED') throw new Error(`expected FAILED, run ${status}`);
  const aborted = (await failures(c.r, run)).find((f) => f.includes('Tollgate.CanaryAborted'));
  if (!aborted) throw new Error(`expected Tollgate.CanaryAborted: ${(await failures(c.r, run)).join(' | ')}`);
  const moves = c.r.alb.moves.slice(from).filter((m) => m.environment === ENV);
  const percents = moves.map((m) => m.canaryPercent);
  if (percents.join() !== '10,0')
    throw new Error(`the rule's canary weight moved ${percents.join(' → ')}, not 10 → 0 (abort at step 1)`);
  await backOnTheService(c.r, route);
  const serving = c.r.ecs.serving(route.cluster, route.service)?.taskDefinitionArn;
  if (serving !== before)
    throw new Error(`${route.service} serves ${serving}, not ${before} as before the run`);
  const { errors, requests } = moves[0]!.served.canary;
  commit(c.repo, 'Revert the per-query pool', { delete: ['src/faults.json'] });
  return `FAILED with ${aborted.slice(0, 140)}…; the canary answered ${errors} of ${requests} with 5xx at 10 %; weights back 100 % baseline, ${route.service} still on ${before?.split('/').pop()}`;
};
