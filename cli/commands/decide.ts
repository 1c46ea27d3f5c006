import { userInfo } from 'node:os';
import type { ApprovalRecord } from '../../functions/shared/ports/approval-store.js';
import type { DecisionChannel } from '../aws/aws-decisions.js';
import { type CommonOptions, createTarget, endpointOf } from '../client/cli-context.js';
import { CliError, ExitCode } from '../client/cli-error.js';
import { LocalApiClient } from '../client/local-api-client.js';
import { emit } from '../client/output.js';
import { findRun } from '../client/pipeline-api.js';

export interface DecideOptions extends CommonOptions {
  readonly env?: string;
  readonly comment?: string;
  readonly reason?: string;
  readonly as?: string;
}

/** Who the CLI decides as: --as, else TOLLGATE_USER, else the OS user name. */
function deciderOf(options: DecideOptions): string {
  const user = options.as ?? (process.env.TOLLGATE_USER || userInfo().username);
  if (!/^\S{1,256}$/.test(user))
    throw new CliError(`--as must be a user name without spaces, got "${user}"`, ExitCode.Usage);
  return user;
}

/** `tollgate approve RUN` / `tollgate reject RUN --reason …`: decides the run's pending approval. */
export async function decideCommand(
  decision: 'approve' | 'reject',
  run: string,
  options: DecideOptions,
): Promise<void> {
  const comment = decision === 'reject' ? options.reason : options.comment;
  if (decision === 'reject' && !comment?.trim()) {
    throw new CliError('reject needs --reason "why", which the ledger records', ExitCode.Usage);
  }
  if (options.aws && options.as !== undefined) {
    throw new CliError(
      '--as does not apply with --aws: you decide as the identity your AWS credentials sign as',
      ExitCode.Usage,
    );
  }
  const target = createTarget(options);
  const described = await findRun(target, run);
  const executionArn = described.executionArn!;
  const channel = options.aws
    ? (await import('../aws/aws-decisions.js')).awsDecisionChannel(createTarget({ ...options, aws: true }))
    : localDecisionChannel(
        new LocalApiClient(endpointOf(options, target.dataDir), target.dataDir, deciderOf(options)),
      );
  const approvals = await channel.pending(executionArn);
  const candidates = options.env ? approvals.filter((a) => a.environment === options.env) : approvals;
  if (candidates.length === 0) {
    const where = options.env ? ` in ${options.env}` : '';
    throw new CliError(`run ${described.name} has no pending approval${where} (status ${described.status})`);
  }
  if (candidates.length > 1) {
    throw new CliError(
      `run ${described.name} waits for approval in ${candidates.map((a) => a.environment).join(' and ')}; pass --env`,
      ExitCode.Usage,
    );
  }
  const approval = candidates[0]!;
  const result = await channel.decide(approval.id, decision, comment ?? '');
  emit(
    options.json,
    {
      run: described.name,
      executionArn,
      environment: approval.environment,
      approvalId: approval.id,
      ...result,
    },
    () => [
      decisionLine(
        decision,
        described.name ?? run,
        approval.environment,
        result,
        approval.evidence?.purpose === 'restore' ? 'restore' : 'promotion',
      ),
    ],
  );
  if (result.delivered === false) process.exitCode = ExitCode.Failure;
}

/**
 * What the decision did to the run: an approval lets it go on into the environment, a rejection
 * stops it there (the gate fails and the run ends failed), a vote short of the quorum waits. A
 * restore approval (asked after a failure past a breaking migration) restores or keeps the data.
 */
export function decisionLine(
  decision: 'approve' | 'reject',
  run: string,
  environment: string,
  result: Record<string, unknown>,
  purpose: 'promotion' | 'restore' = 'promotion',
): string {
  if (result.outcome === 'recorded')
    return `${decision}d ${run} for ${environment}: ${result.approvals}/${result.needed} approvals, waiting for more`;
  const decided = `${decision === 'approve' ? 'approved' : 'rejected'} ${run} for ${environment}`;
  if (result.delivered === false)
    return `${decided} but the run was not resumed: ${String(result.deliveryError ?? '')}`;
  if (purpose === 'restore')
    return decision === 'approve'
      ? `${decided}: its data is restored from the checkpoint taken before the migration`
      : `${decided}: its data stays as it is (no restore)`;
  return decision === 'approve'
    ? `${decided}; the run continues into ${environment}`
    : `${decided}; the run stops at ${environment}'s gate and ends failed`;
}

/** The local runtime's approvals API, authenticated with the data directory's secret. */
function localDecisionChannel(api: LocalApiClient): DecisionChannel {
  return {
    async pending(executionArn) {
      const { approvals } = await api.get<{ approvals: ApprovalRecord[] }>(
        `/api/approvals?executionArn=${encodeURIComponent(executionArn)}`,
      );
      return approvals;
    },
    decide: (approvalId, decision, comment) =>
      api.post<Record<string, unknown>>(`/api/approvals/${encodeURIComponent(approvalId)}/decision`, {
        decision,
        comment,
      }),
  };
}
