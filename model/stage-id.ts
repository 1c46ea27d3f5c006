/**
 * The id of each stage of a run, as people talk about them ("it failed in migrate in test"). Its
 * own module so the pipeline builder can stamp each state with its stage while the catalogue
 * (labels, help) reads the stamps back from the builder without an import circle.
 */
export const StageId = {
  Event: 'event',
  Plan: 'plan',
  Queue: 'queue',
  Build: 'build',
  Register: 'register',
  Lock: 'lock',
  Approval: 'approval',
  Refresh: 'refresh',
  Mask: 'mask',
  VerifyMasking: 'verify-masking',
  Publish: 'publish',
  Migrate: 'migrate',
  DataChecks: 'data-checks',
  Deploy: 'deploy',
  Canary: 'canary',
  SmokeTest: 'smoke-test',
  Tests: 'tests',
  Promote: 'promote',
  Verify: 'verify',
  Rollback: 'rollback',
  RestoreData: 'restore-data',
  Record: 'record',
  ReleaseLock: 'release-lock',
} as const;
export type StageId = (typeof StageId)[keyof typeof StageId];
