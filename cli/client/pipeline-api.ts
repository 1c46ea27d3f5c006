import type { DescribeExecutionCommandOutput, HistoryEvent } from '@aws-sdk/client-sfn';
import { parseRunNumber, runNumbers } from '../../model/run-number.js';
import type { CliTarget } from './cli-context.js';
import { notRunning } from './cli-context.js';
import { CliError, ExitCode } from './cli-error.js';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE']);

/** Sends one SDK command and turns "nothing listens there" and AWS errors into one-line CLI errors. */
export async function send<T>(target: CliTarget, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code =
      (error as { code?: string; cause?: { code?: string } }).code ??
      (error as { cause?: { code?: string } }).cause?.code;
    if (code && NETWORK_CODES.has(code)) {
      if (target.mode === 'local') throw notRunning(target.where);
      throw new CliError(`cannot reach AWS: ${code}`, ExitCode.Unreachable, { cause: error });
    }
    const name = (error as Error).name ?? 'Error';
    throw new CliError(`${name}: ${(error as Error).message.split('\n')[0]}`, ExitCode.Failure, {
      cause: error,
    });
  }
}

/** One execution as ListExecutions names it; `tollgate runs` reads the commit and more per run. */
export interface ExecutionItem {
  readonly name: string;
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly status: string;
  readonly startDate?: Date;
  readonly stopDate?: Date;
}

/** The pipeline state machines: the stack's one on AWS, every `tollgate-*` one locally. */
export async function pipelineStateMachines(target: CliTarget): Promise<string[]> {
  const fixed = await target.stateMachineArns();
  if (fixed) return fixed;
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await send(target, () => target.reads.call('ListStateMachines', { nextToken }));
    for (const sm of page.stateMachines ?? [])
      if (sm.name?.startsWith('tollgate-')) arns.push(sm.stateMachineArn!);
    nextToken = page.nextToken;
  } while (nextToken);
  return arns;
}

/** Runs newest first. */
export async function listRuns(
  target: CliTarget,
  options: { status?: string; limit?: number } = {},
): Promise<ExecutionItem[]> {
  const limit = options.limit ?? 1000;
  const runs: ExecutionItem[] = [];
  for (const stateMachineArn of await pipelineStateMachines(target)) {
    let nextToken: string | undefined;
    do {
      const page = await send(target, () =>
        target.reads.call('ListExecutions', {
          stateMachineArn,
          nextToken,
          maxResults: 100,
          ...(options.status ? { statusFilter: options.status as 'RUNNING' } : {}),
        }),
      );
      for (const e of page.executions ?? []) {
        runs.push({
          name: e.name!,
          executionArn: e.executionArn!,
          stateMachineArn,
          status: e.status!,
          startDate: e.startDate,
          stopDate: e.stopDate,
        });
      }
      nextToken = runs.length >= limit ? undefined : page.nextToken;
    } while (nextToken);
  }
  runs.sort((a, b) => (b.startDate?.getTime() ?? 0) - (a.startDate?.getTime() ?? 0));
  return runs.slice(0, limit);
}

/** Every run, for numbering: a run's number counts all the runs of its pipeline before it. */
export const ALL_RUNS = Number.MAX_SAFE_INTEGER;

/** Each run's short number (`#42`) within its pipeline's state machine, by execution ARN. */
export function numberRuns(runs: readonly ExecutionItem[]): Map<string, number> {
  const byMachine = new Map<string, ExecutionItem[]>();
  for (const run of runs)
    byMachine.set(run.stateMachineArn, [...(byMachine.get(run.stateMachineArn) ?? []), run]);
  const numbers = new Map<string, number>();
  for (const group of byMachine.values()) {
    const named = runNumbers(group.map((r) => ({ name: r.name, startDate: r.startDate?.getTime() ?? 0 })));
    for (const r of group) numbers.set(r.executionArn, named.get(r.name)!);
  }
  return numbers;
}

/**
 * RUN is an execution ARN, an execution name (or a prefix of one), or a run number: `#42`, or a
 * bare `42` that names no run (quote `'#42'` in a shell, where `#` starts a comment).
 */
export async function findRun(target: CliTarget, run: string): Promise<DescribeExecutionCommandOutput> {
  if (typeof run !== 'string' || run.trim() === '')
    throw new CliError('RUN must be a run number (#42), an execution name or an ARN', ExitCode.Usage);
  let executionArn = run;
  if (!run.startsWith('arn:')) {
    const runs = await listRuns(target, { limit: ALL_RUNS });
    const number = parseRunNumber(run) ?? (/^\d{1,9}$/.test(run) ? Number(run) : null);
    const found = (parseRunNumber(run) === null ? pickRun(runs, run) : undefined) ?? byNumber(runs, number);
    if (!found) throw unknownRun(run, target);
    executionArn = found.executionArn;
  }
  try {
    return await send(target, () => target.reads.call('DescribeExecution', { executionArn }));
  } catch (error) {
    const name = ((error as CliError).cause as Error | undefined)?.name;
    if (name === 'ExecutionDoesNotExist' || name === 'InvalidArn') throw unknownRun(run, target);
    throw error;
  }
}

const MIN_PREFIX = 4;

/**
 * The run a name stands for: the run of that name, else the one run whose name starts with it
 * (the terminal shows the first 8 characters), at least 4 characters of it. A prefix two runs share is a one-line error.
 */
export function pickRun<T extends { readonly name: string }>(
  runs: readonly T[],
  given: string,
): T | undefined {
  const exact = runs.find((r) => r.name === given);
  if (exact) return exact;
  // Shorter than this, a prefix is more likely a typo than a run.
  if (given.length < MIN_PREFIX) return undefined;
  const matching = runs.filter((r) => r.name.startsWith(given));
  if (matching.length > 1) {
    const names = matching.slice(0, 3).map((r) => r.name);
    throw new CliError(
      `run "${given}" is ambiguous: ${matching.length} runs start with it (${names.join(', ')}${matching.length > 3 ? ', …' : ''}); give more of the name`,
      ExitCode.Usage,
    );
  }
  return matching[0];
}

function byNumber(runs: readonly ExecutionItem[], number: number | null): ExecutionItem | undefined {
  if (number === null) return undefined;
  const numbers = numberRuns(runs);
  const matching = runs.filter((r) => numbers.get(r.executionArn) === number);
  if (matching.length > 1) {
    const machines = matching.map((r) => r.stateMachineArn.split(':').at(-1));
    throw new CliError(
      `run #${number} is ambiguous: ${matching.length} pipelines have one (${machines.join(', ')}); give the execution name`,
      ExitCode.Usage,
    );
  }
  return matching[0];
}

function unknownRun(run: string, target: CliTarget): CliError {
  return new CliError(
    `unknown run "${run}": no execution with that name or ARN at ${target.where}; list runs with \`npx tollgate runs\``,
  );
}

export async function executionHistory(target: CliTarget, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await send(target, () =>
      target.reads.call('GetExecutionHistory', { executionArn, nextToken, maxResults: 1000 }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}
