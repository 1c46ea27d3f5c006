/**
 * The stages of a pipeline run, as people talk about them ("it failed in migrate in test"): one
 * id, label and help line each. The terminal, `tollgate show` and the console all read stages from
 * here, so a run reads the same in all three. Which ASL state does which stage's work is declared
 * with the state itself, in statemachines/pipeline.ts; `stageOf` (model/stage-of-state.ts) reads it.
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
  /**
   * States of another stage this one runs through once entered: publishing the masked clone
   * reuses the refresh's storage loop, and those steps are still the publish.
   */
  readonly continuesThrough?: readonly string[];
  /**
   * Words that place a state name the pipeline does not declare (a definition from another
   * version, a failure record's stage name), checked in catalogue order.
   */
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
    words: /normali[sz]e|validate.?event|malformed/i,
  },
  {
    id: StageId.Plan,
    label: 'plan',
    help: 'Worked out which environments this run goes through, from the config.',
    bookkeeping: true,
    words: /plan/i,
  },
  {
    id: StageId.Queue,
    label: 'queue',
    help: 'Waited for its turn: one run at a time per pipeline (concurrency setting).',
    words: /acquire.?lock|wait.?for.?lock|check.?lock|lock.?decision|lock.?not.?granted|queue/i,
  },
  {
    id: StageId.Build,
    label: 'build',
    help: 'Built the commit once; every environment gets these same bytes.',
    words: /build/i,
  },
  {
    id: StageId.Register,
    label: 'register',
    help: 'Stored the build as an immutable release with its digest.',
    words: /register/i,
  },
  {
    id: StageId.Lock,
    label: 'lock',
    help: 'Bookkeeping: renewed this run’s turn before entering the environment.',
    bookkeeping: true,
    words: /renew.?lock/i,
  },
  {
    id: StageId.Approval,
    label: 'approval',
    help: 'Waited for the configured approvers to let the release into this environment.',
    skippedHelp: 'Skipped: this environment has no approval gate.',
    words: /approv/i,
  },
  {
    id: StageId.RestoreData,
    label: 'restore data',
    help: 'Put the environment’s database back from the backup taken before the refresh.',
    words: /restore/i,
  },
  {
    id: StageId.Publish,
    label: 'publish',
    help: 'Swapped the masked, verified clone in as the environment’s database.',
    continuesThrough: STORAGE_LOOP,
    words: /publish/i,
  },
  {
    id: StageId.Refresh,
    label: 'refresh',
    help: 'Backed up this environment’s database, then cloned a production snapshot where nothing can connect yet.',
    skippedHelp: 'Skipped: this environment’s database is not refreshed (it may be the source).',
    words: /snapshot|refresh|clone|backup|storage|volume|aurora/i,
  },
  {
    id: StageId.VerifyMasking,
    label: 'verify masking',
    help: 'Checked that no real personal data survived the masking.',
    words: /verify.?mask|mask.*(verif|check)/i,
  },
  {
    id: StageId.Mask,
    label: 'mask',
    help: 'Replaced personal data in the clone (e-mails, names, phones, notes) with fake values.',
    words: /mask/i,
  },
  {
    id: StageId.Migrate,
    label: 'migrate',
    help: 'Ran the release’s new database migrations on that production-like data.',
    words: /migrat/i,
  },
  {
    id: StageId.DataChecks,
    label: 'data checks',
    help: 'Ran the data-integrity checks from the config on the migrated data.',
    words: /check.?data|data.?check|checks.?needed/i,
  },
  {
    id: StageId.Rollback,
    label: 'rollback',
    help: 'Put the environment back on the release it ran before this run.',
    words: /rollback|roll.?back/i,
  },
  {
    id: StageId.Deploy,
    label: 'deploy',
    help: 'Started the release and waited until it reported healthy.',
    words: /deploy|rollout/i,
  },
  {
    id: StageId.Canary,
    label: 'canary',
    help: 'Shifted traffic to the release step by step, comparing its metrics with the serving release after each step.',
    skippedHelp: 'Skipped: this environment deploys all at once, or had no release serving to compare with.',
    words: /canary|traffic/i,
  },
  {
    id: StageId.SmokeTest,
    label: 'smoke test',
    help: 'Called the release’s endpoints and compared the answers with the config.',
    words: /smoke/i,
  },
  {
    id: StageId.Tests,
    label: 'tests',
    help: 'Ran the environment’s test commands in the release’s tree; exit codes, JUnit results and thresholds decide.',
    words: /run.?tests|tests.?(needed|decision|timed.?out)|poll.?tests|wait.?for.?tests/i,
  },
  {
    id: StageId.Promote,
    label: 'promote',
    help: 'Recorded the release as what this environment runs now.',
    words: /promot/i,
  },
  {
    id: StageId.Verify,
    label: 'verify',
    help: 'Kept checking the promoted release for the verify window; a failure inside it rolled the environment back.',
    words: /verif(y|ication)/i,
  },
  {
    id: StageId.ReleaseLock,
    label: 'unlock',
    help: 'Bookkeeping: let the next queued run start.',
    bookkeeping: true,
    words: /release.?lock/i,
  },
  {
    id: StageId.Record,
    label: 'record',
    help: 'Bookkeeping: wrote the run’s outcome to the audit ledger.',
    bookkeeping: true,
    words: /record/i,
  },
];

const BY_ID = new Map<string, StageDefinition>(STAGES.map((s) => [s.id, s]));

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
