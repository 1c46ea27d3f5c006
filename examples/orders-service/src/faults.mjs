// Fault injection for the demo scenarios, off unless a release carries src/faults.json.
//
// { "healthDegradesIn": ["staging"] } makes /health answer 200 to its first request only, and 503
// after it, when the deployer started this process for one of the named environments
// (TOLLGATE_ENVIRONMENT). The first request is the deployer's start-up probe, so the rollout
// succeeds and only the smoke tests can catch it: the shape of an app that leaks its connection
// pool and degrades right after start. Scenario (c) uses it to break staging and nothing else.
//
// { "ordersFailUnderLoadIn": ["prod"] } makes GET /orders answer 500 once the process has served
// a few of them: health and the smoke tests (which never call /orders) stay green, and only real
// traffic sees the errors. Scenario (g) uses it so only the canary's analysis can catch it.
//
// { "slowVersionIn": ["staging"] } makes every fifth GET /version take 800 ms more in the named
// environments: a slow tail. Everything still answers in time and the median stays fast, so only
// the performance test stage's p95 threshold sees it (any 20 requests in a row hold 4 slow ones).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function loadFaults(srcDir) {
  const file = join(srcDir, 'faults.json');
  if (!existsSync(file)) return { healthDegradesIn: [], ordersFailUnderLoadIn: [], slowVersionIn: [] };
  const faults = JSON.parse(readFileSync(file, 'utf8'));
  const envs = faults.healthDegradesIn ?? [];
  if (!Array.isArray(envs) || envs.some((e) => typeof e !== 'string'))
    throw new Error(`${file}: healthDegradesIn must be a list of environment names`);
  const underLoad = faults.ordersFailUnderLoadIn ?? [];
  if (!Array.isArray(underLoad) || underLoad.some((e) => typeof e !== 'string'))
    throw new Error(`${file}: ordersFailUnderLoadIn must be a list of environment names`);
  const slow = faults.slowVersionIn ?? [];
  if (!Array.isArray(slow) || slow.some((e) => typeof e !== 'string'))
    throw new Error(`${file}: slowVersionIn must be a list of environment names`);
  return { healthDegradesIn: envs, ordersFailUnderLoadIn: underLoad, slowVersionIn: slow };
}

/** How often GET /version is slow, and by how much, where slowVersionIn names the environment. */
const SLOW_VERSION_EVERY = 5;
const SLOW_VERSION_MS = 800;

/**
 * A probe that answers the extra milliseconds this GET /version takes in this environment: 0,
 * except every fifth request where slowVersionIn names the environment.
 */
export function versionDelayMs(faults, environment) {
  if (!environment || !faults.slowVersionIn.includes(environment)) return () => 0;
  let served = 0;
  return () => {
    served += 1;
    return served % SLOW_VERSION_EVERY === 0 ? SLOW_VERSION_MS : 0;
  };
}

/** The /orders requests a process answers well before it starts failing them under load. */
const ORDERS_BEFORE_FAILING = 3;

/** A probe that answers why this GET /orders must fail, or undefined while it works. */
export function ordersUnderLoad(faults, environment) {
  if (!environment || !faults.ordersFailUnderLoadIn.includes(environment)) return () => undefined;
  let served = 0;
  return () => {
    served += 1;
    return served > ORDERS_BEFORE_FAILING
      ? `src/faults.json: the connection pool is exhausted under load in ${environment}`
      : undefined;
  };
}

/** A probe that answers the reason /health must fail, or undefined while it is healthy. */
export function degradingHealth(faults, environment) {
  if (!environment || !faults.healthDegradesIn.includes(environment)) return () => undefined;
  let answered = 0;
  return () => {
    answered += 1;
    return answered > 1
      ? `src/faults.json degrades /health in ${environment} after the start-up probe`
      : undefined;
  };
}
