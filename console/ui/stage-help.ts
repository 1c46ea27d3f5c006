/**
 * What each stage does, in a line, for people who did not write the pipeline. Bookkeeping stages
 * say so, so nobody wonders whether "lock" or "record" could have changed their environment.
 */
const HELP: Record<string, { label?: string; help: string }> = {
  event: { help: 'Read the commit event and checked it is well formed.' },
  plan: { help: 'Worked out which environments this run goes through, from the config.' },
  queue: { help: 'Waited for its turn: one run at a time per pipeline (concurrency setting).' },
  build: { help: 'Built the commit once; every environment gets these same bytes.' },
  register: { help: 'Stored the build as an immutable release with its digest.' },
  lock: { help: 'Bookkeeping: renewed this run’s turn before entering the environment.' },
  approval: { help: 'Waited for the configured approvers to let the release into this environment.' },
  refresh: {
    help: 'Backed up this environment’s database, then replaced it with a clone of a production snapshot.',
  },
  mask: { help: 'Replaced personal data in the clone (e-mails, names, phones, notes) with fake values.' },
  'verify-masking': { help: 'Checked that no real personal data survived the masking.' },
  migrate: { help: 'Ran the release’s new database migrations on that production-like data.' },
  'data-checks': { help: 'Ran the data-integrity checks from the config on the migrated data.' },
  deploy: { help: 'Started the release and waited until it reported healthy.' },
  'smoke-test': { help: 'Called the release’s endpoints and compared the answers with the config.' },
  promote: { help: 'Recorded the release as what this environment runs now.' },
  rollback: { help: 'Put the environment back on the release it ran before this run.' },
  'restore-data': { help: 'Put the environment’s database back from the backup taken before the refresh.' },
  record: { help: 'Bookkeeping: wrote the run’s outcome to the audit ledger.' },
  'release-lock': { label: 'unlock', help: 'Bookkeeping: let the next queued run start.' },
};

export function stageLabel(stage: string): string {
  return HELP[stage]?.label ?? stage;
}

export function stageHelp(stage: string, status: string): string | undefined {
  if (status === 'skipped') {
    if (stage === 'approval') return 'Skipped: this environment has no approval gate.';
    if (stage === 'refresh')
      return 'Skipped: this environment’s database is not refreshed (it may be the source).';
    return 'Skipped: nothing to do here for this environment.';
  }
  return HELP[stage]?.help;
}
