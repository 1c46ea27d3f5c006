import { type RESOURCE_PLACEHOLDERS, TASKS } from '../../functions/task-registry.js';

/**
 * The local side of the ASL's `${Placeholder}` substitutions. The CDK stack binds the same names to
 * real ARNs; here every task becomes a local Lambda ARN that the function runner maps back to the
 * task's handler module.
 */
const LOCAL_REGION = 'us-east-1';
const LOCAL_ACCOUNT = '000000000000';

export function localFunctionName(task: string): string {
  return `tollgate-${task}`;
}

export function localFunctionArn(task: string): string {
  return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${localFunctionName(task)}`;
}

/** The local builder stands in for CodeBuild: same Arguments, a CodeBuild-shaped result. */
export const LOCAL_BUILDER_FUNCTION = 'tollgate-local-builder';

export function localSubstitutions(): Record<string, string> {
  const bindings: Record<string, string> = {};
  for (const task of TASKS) bindings[task.placeholder] = localFunctionArn(task.name);
  const resources: Record<(typeof RESOURCE_PLACEHOLDERS)[number], string> = {
    BuildResource: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${LOCAL_BUILDER_FUNCTION}`,
  };
  return { ...bindings, ...resources };
}
