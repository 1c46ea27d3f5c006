/**
 * The environments a run of an existing release walks, in pipeline order: a redeploy
 * (`tollgate deploy`) only its environment; a retry (`tollgate retry`) that environment and every
 * one after it. Empty for an environment the pipeline lacks. plan-run plans exactly these and
 * register-release records each one's contents, so both read it from here.
 */
export function redeployReach(
  environments: readonly string[],
  redeploy: { readonly environment: string; readonly retryOf?: string },
): string[] {
  const from = environments.indexOf(redeploy.environment);
  if (from < 0) return [];
  return redeploy.retryOf ? environments.slice(from) : [redeploy.environment];
}
