/**
 * The one list of Lambda tasks. The CDK stack builds a function per entry and binds its ARN to the
 * ASL placeholder; the local function runner binds the same placeholder to a local ARN that it maps
 * to the same handler module.
 */
export interface TaskEntry {
  /** Folder under functions/ and the function name suffix. */
  readonly name: string;
  /** `${Placeholder}` in statemachines/pipeline.asl.json that receives this function's ARN. */
  readonly placeholder: string;
}

export const TASKS = [
  { name: 'plan-run', placeholder: 'PlanRunFunctionArn' },
  { name: 'concurrency-guard', placeholder: 'ConcurrencyGuardFunctionArn' },
  { name: 'register-release', placeholder: 'RegisterReleaseFunctionArn' },
  { name: 'request-approval', placeholder: 'RequestApprovalFunctionArn' },
  { name: 'record-approval-timeout', placeholder: 'RecordApprovalTimeoutFunctionArn' },
  { name: 'refresh-data', placeholder: 'RefreshDataFunctionArn' },
  { name: 'mask-data', placeholder: 'MaskDataFunctionArn' },
  { name: 'verify-masking', placeholder: 'VerifyMaskingFunctionArn' },
  { name: 'migrate-database', placeholder: 'MigrateDatabaseFunctionArn' },
  { name: 'check-data', placeholder: 'CheckDataFunctionArn' },
  { name: 'deploy', placeholder: 'DeployFunctionArn' },
  { name: 'poll-deployment', placeholder: 'PollDeploymentFunctionArn' },
  { name: 'smoke-test', placeholder: 'SmokeTestFunctionArn' },
  { name: 'promote', placeholder: 'PromoteFunctionArn' },
  { name: 'rollback', placeholder: 'RollbackFunctionArn' },
  { name: 'record-run', placeholder: 'RecordRunFunctionArn' },
] as const satisfies readonly TaskEntry[];

export type TaskName = (typeof TASKS)[number]['name'];

/** Non-Lambda resources the ASL takes as placeholders (the build step differs per mode). */
export const RESOURCE_PLACEHOLDERS = ['BuildResource'] as const;
