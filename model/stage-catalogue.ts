/**
 * The stages of a pipeline run, as people talk about them ("it failed in migrate in test"): one
 * id, label and help line each, and the pipeline ASL states that do the stage's work. The
 * terminal, `tollgate show` and the console all read stages from here, so a run reads the same in
 * all three.
 *
 * States are named exactly; the ASL changes (new loops, new providers), so a state the catalogue
 * does not name yet is placed by the words its name is built from, and a Task state nothing
 * recognises becomes a stage of its own rather than vanishing. A test walks the ASL and fails when
 * a Task, Wait or Choice state is not named by exactly one stage, so drift is fixed here.
 */
import { StageId } from './stage-id.js';

export { StageId };

export interface StageDefinition {
  readonly id: StageId;
  readonly label: string;
  readonly help: string;
  /** Said instead of `help` when only the stage's "not needed" branch ran. */
  readonly skippedHelp?: string;
  /** Changes nothing a person waits on; the terminal and `tollgate show` leave it out. */
  readonly bookkeeping?: boolean;
  /** The ASL states doing this stage's work, by exact name. */
  readonly states: readonly string[];
  /**
   * States of another stage this one runs through once entered: publishing the masked clone
   * reuses the refresh's storage loop, and those steps are still the publish.
   */
  readonly continuesThrough?: readonly string[];
  /** Words that place a state the list above does not name yet (checked in catalogue order). */
  readonly words?: RegExp;
}

const STORAGE_LOOP = [
  'StartStorageStep',
  'WaitForStorage',
  'PollStorage',
  'StorageDecision',
  'NextStorageStep',
];

export const STAGES: readonly StageDefinition[] = [
  {
    id: StageId.Event,
    label: 'event',
    help: 'Read the commit event and checked it is well formed.',
    bookkeeping: true,
    states: ['Normalize', 'ValidateEvent', 'MalformedEvent'],
    words: /normali[sz]e|validate.?event|malformed/i,
  },
  {
    id: StageId.Plan,
    label: 'plan',
    help: 'Worked out which environments this run goes through, from the config.',
    bookkeeping: true,
    states: ['PlanRun', 'PlanDecision'],
    words: /plan/i,
  },
  {
    id: StageId.Queue,
    label: 'queue',
    help: 'Waited for its turn: one run at a time per pipeline (concurrency setting).',
    states: ['AcquireLock', 'LockDecision', 'LockNotGranted', 'WaitForLock', 'CheckLock'],
    words: /acquire.?lock|wait.?for.?lock|check.?lock|lock.?decision|lock.?not.?granted|queue/i,
  },
  {
    id: StageId.Build,
    label: 'build',
    help: 'Built the commit once; every environment gets these same bytes.',
    states: ['Build'],
    words: /build/i,
  },
  {
    id: StageId.Register,
    label: 'register',
    help: 'Stored the build as an immutable release with its digest.',
    states: ['RegisterRelease'],
    words: /register/i,
  },
  {
    id: StageId.Lock,
    label: 'lock',
    help: 'Bookkeeping: renewed this run’s turn before entering the environment.',
    bookkeeping: true,
    states: ['RenewLock'],
    words: /renew.?lock/i,
  },
  {
    id: StageId.Approval,
    label: 'approval',
    help: 'Waited for the configured approvers to let the release into this environment.',
    skippedHelp: 'Skipped: this environment has no approval gate.',
    states: ['ApprovalNeeded', 'ApprovalGate', 'RecordApprovalTimeout', 'ApprovalExpired'],
    words: /approv/i,
  },
  {
    id: StageId.RestoreData,
    label: 'restore data',
    help: 'Put the environment’s database back from the backup taken before the refresh.',
    states: ['RestoreData', 'WaitForRestore', 'PollRestore', 'RestoreDecision'],
    words: /restore/i,
  },
  {
    id: StageId.Publish,
    label: 'publish',
    help: 'Swapped the masked, verified clone in as the environment’s database.',
    states: ['PublishMaskedData'],
    continuesThrough: STORAGE_LOOP,
    words: /publish/i,
  },
  {
    id: StageId.Refresh,
    label: 'refresh',
    help: 'Backed up this environment’s database, then cloned a production snapshot where nothing can connect yet.',
    skippedHelp: 'Skipped: this environment’s database is not refreshed (it may be the source).',
    states: [
      'RefreshNeeded',
      'PlanRefresh',
      'CollectExpiredSnapshots',
      ...STORAGE_LOOP,
      'StorageFailed',
      'StorageTimedOut',
      'RecordRefresh',
    ],
    words: /snapshot|refresh|clone|backup|storage|volume|aurora/i,
  },
  {
    id: StageId.VerifyMasking,
    label: 'verify masking',
    help: 'Checked that no real personal data survived the masking.',
    states: ['VerifyMasking'],
    words: /verify.?mask|mask.*(verif|check)/i,
  },
  {
    id: StageId.Mask,
    label: 'mask',
    help: 'Replaced personal data in the clone (e-mails, names, phones, notes) with fake values.',
    states: ['MaskData'],
    words: /mask/i,
  },
  {
    id: StageId.Migrate,
    label: 'migrate',
    help: 'Ran the release’s new database migrations on that production-like data.',
    states: ['MigrateNeeded', 'MigrateDatabase'],
    words: /migrat/i,
  },
  {
    id: StageId.DataChecks,
    label: 'data checks',
    help: 'Ran the data-integrity checks from the config on the migrated data.',
    states: ['ChecksNeeded', 'CheckData'],
    words: /check.?data|data.?check|checks.?needed/i,
  },
  {
    id: StageId.Rollback,
    label: 'rollback',
    help: 'Put the environment back on the release it ran before this run.',
    states: [
      'RollbackNeeded',
      'Rollback',
      'RollbackStarted',
      'WaitForRollback',
      'PollRollback',
      'RollbackDecision',
      'FinishRollback',
      'RollbackAfterRestore',
    ],
    words: /rollback|roll.?back/i,
  },
  {
    id: StageId.Deploy,
    label: 'deploy',
    help: 'Started the release and waited until it reported healthy.',
    states: [
      'Deploy',
      'WaitForRollout',
      'PollDeployment',
      'RolloutDecision',
      'RolloutFailed',
      'RolloutTimedOut',
    ],
    words: /deploy|rollout/i,
  },
  {
    id: StageId.SmokeTest,
    label: 'smoke test',
    help: 'Called the release’s endpoints and compared the answers with the config.',
    states: ['SmokeTest'],
    words: /smoke/i,
  },
  {
    id: StageId.Promote,
    label: 'promote',
    help: 'Recorded the release as what this environment runs now.',
    states: ['Promote'],
    words: /promot/i,
  },
  {
    id: StageId.ReleaseLock,
    label: 'unlock',
    help: 'Bookkeeping: let the next queued run start.',
    bookkeeping: true,
    states: ['ReleaseLock', 'ReleaseLockAfterFailure'],
    words: /release.?lock/i,
  },
  {
    id: StageId.Record,
    label: 'record',
    help: 'Bookkeeping: wrote the run’s outcome to the audit ledger.',
    bookkeeping: true,
    states: ['RecordSuccess', 'RecordSkip', 'RecordFailure'],
    words: /record/i,
  },
];

const BY_ID = new Map<string, StageDefinition>(STAGES.map((s) => [s.id, s]));
const BY_STATE = new Map<string, StageDefinition>(
  STAGES.flatMap((s) => s.states.map((n) => [n, s] as const)),
);

/** States that only route (the environment's entry, the run's end): they belong to no stage. */
const NO_STAGE = new Set([
  'EnterEnvironment',
  'Environments',
  'EnvironmentFailed',
  'RunFailed',
  'Done',
  'Skipped',
]);

/**
 * The stage a state belongs to, by name; `null` for states that only route. An unknown Task state
 * is a stage of its own (its kebab-cased name), so new work shows up before the catalogue knows it.
 */
export function stageOf(stateName: string, stateType: string): string | null {
  const exact = BY_STATE.get(stateName);
  if (exact) return exact.id;
  if (NO_STAGE.has(stateName) || stateType === 'Map' || stateType === 'Parallel') return null;
  for (const stage of STAGES) if (stage.words?.test(stateName)) return stage.id;
  return stateType === 'Task' ? kebab(stateName) : null;
}

/** True when `stateName` is one of the states `stage` runs through once entered. */
export function continuesThrough(stage: string, stateName: string): boolean {
  return BY_ID.get(stage)?.continuesThrough?.includes(stateName) === true;
}

export function stageDefinition(stage: string): StageDefinition | undefined {
  return BY_ID.get(stage);
}

export function stageLabel(stage: string): string {
  return BY_ID.get(stage)?.label ?? stage;
}

export function isBookkeeping(stage: string): boolean {
  return BY_ID.get(stage)?.bookkeeping === true;
}

export function stageHelp(stage: string, status: string): string | undefined {
  const definition = BY_ID.get(stage);
  if (status === 'skipped')
    return definition?.skippedHelp ?? 'Skipped: nothing to do here for this environment.';
  return definition?.help;
}

function kebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .toLowerCase();
}
