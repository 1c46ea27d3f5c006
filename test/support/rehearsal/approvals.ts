import type { UrlCaller } from './function-url.js';
import { failures, pendingApproval, waitFor } from './pipeline-driver.js';
import type { Rehearsal } from './rehearsal.js';
import { ACCOUNT } from './template-model.js';

/** The approver the example's prod gate names, signing the approve URL with SigV4. */
export const APPROVER: UrlCaller = {
  accessKeyId: 'AKIAREHEARSALAPPROVER',
  secretAccessKey: 'approver-secret',
  sessionArn: `arn:aws:sts::${ACCOUNT}:assumed-role/release-managers/ana`,
  roleArn: `arn:aws:iam::${ACCOUNT}:role/release-managers`,
};

/** The run's pending approval for `environment`, once it waits there; its failures if it never does. */
export async function waitForGate(r: Rehearsal, run: string, environment: string) {
  let found: Awaited<ReturnType<typeof pendingApproval>>;
  await waitFor(
    r,
    run,
    async () => {
      found = await pendingApproval(r, run, environment);
      return found !== undefined;
    },
    `the ${environment} gate`,
  ).catch(async (error: Error) => {
    const why = await failures(r, run);
    throw new Error(`${error.message}${why.length ? `; failures: ${why.join(' | ')}` : ''}`);
  });
  return found!;
}
