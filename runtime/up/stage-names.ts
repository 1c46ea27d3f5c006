/**
 * Human stages, from the pipeline's state names. The ASL is the single source of truth for the
 * flow, so this maps names rather than positions: a state the map does not know is simply not a
 * stage (Normalize, RenewLock, RecordSuccess … are bookkeeping, not something a person waits on).
 */
export const Stage = {
  Queue: 'queue',
  Build: 'build',
  Register: 'register',
  Approval: 'approval',
  Refresh: 'refresh',
  Mask: 'mask',
  Migrate: 'migrate',
  Checks: 'checks',
  Deploy: 'deploy',
  SmokeTest: 'smoke-test',
  Promote: 'promote',
  Rollback: 'rollback',
} as const;
export type Stage = (typeof Stage)[keyof typeof Stage];

const EXACT: Readonly<Record<string, Stage>> = {
  AcquireLock: Stage.Queue,
  WaitForLock: Stage.Queue,
  CheckLock: Stage.Queue,
  Build: Stage.Build,
  RegisterRelease: Stage.Register,
  Deploy: Stage.Deploy,
  WaitForRollout: Stage.Deploy,
  PollDeployment: Stage.Deploy,
  RolloutDecision: Stage.Deploy,
  SmokeTest: Stage.SmokeTest,
  Promote: Stage.Promote,
  Rollback: Stage.Rollback,
  ApprovalGate: Stage.Approval,
  RecordApprovalTimeout: Stage.Approval,
  ApprovalExpired: Stage.Approval,
  CollectExpiredSnapshots: Stage.Refresh,
  RecordRefresh: Stage.Refresh,
  MaskData: Stage.Mask,
  VerifyMasking: Stage.Mask,
  MigrateDatabase: Stage.Migrate,
  CheckData: Stage.Checks,
  RestoreData: Stage.Rollback,
  WaitForRestore: Stage.Rollback,
  PollRestore: Stage.Rollback,
  RestoreDecision: Stage.Rollback,
};

// The data-refresh and approval states arrive with their own names (start/poll/decide loops), so
// they are recognised by the words they are built from. Order matters: "VerifyMasking" is mask, and
// "CheckLock" was matched exactly above before "Check" could claim it.
const PATTERNS: ReadonlyArray<readonly [RegExp, Stage]> = [
  [/approv/i, Stage.Approval],
  [/snapshot|refresh|clone|volume|storage/i, Stage.Refresh],
  [/mask/i, Stage.Mask],
  [/migrat/i, Stage.Migrate],
  [/check/i, Stage.Checks],
];

/** States the pipeline routes a failure through: the stage they belong to failed. */
export function isFailureState(stateName: string): boolean {
  return /(Failed|TimedOut|Expired)$/.test(stateName);
}

/** The stage a state belongs to, or undefined for bookkeeping states. */
export function stageOf(stateName: string): Stage | undefined {
  const exact = EXACT[stateName];
  if (exact) return exact;
  for (const [pattern, stage] of PATTERNS) if (pattern.test(stateName)) return stage;
  return undefined;
}
