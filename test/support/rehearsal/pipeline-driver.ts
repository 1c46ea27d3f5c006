import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ApproveUrlClient } from '../../../cli/aws/approve-url-client.js';
import { DynamoDbApprovalStore } from '../../../functions/shared/adapters/aws/dynamodb-approval-store.js';
import { adminClientConfig } from './provision.js';
import type { Rehearsal } from './rehearsal.js';

const EXAMPLE = join(import.meta.dirname, '../../../examples/orders-service');
const AUTHOR = { name: 'Dana Developer', email: 'dana@orders.example' };

/** What the git server (CodeCommit) holds: the example app, its first release committed. */
export function createRepository(dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  cpSync(EXAMPLE, dir, {
    recursive: true,
    filter: (src) => !/\/(node_modules|dist|\.tollgate)(\/|$)/.test(src),
  });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
  git('init', '--quiet', '--initial-branch=main');
  git('config', 'user.name', AUTHOR.name);
  git('config', 'user.email', AUTHOR.email);
  git('add', '-A');
  git('commit', '--quiet', '-m', 'First release');
  return headOf(dir);
}

export function commit(
  dir: string,
  message: string,
  change: { write?: Record<string, string>; delete?: string[] } = {},
): string {
  for (const [path, content] of Object.entries(change.write ?? {})) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  for (const path of change.delete ?? []) rmSync(join(dir, path), { force: true });
  execFileSync('git', ['add', '-A'], { cwd: dir });
  execFileSync('git', ['commit', '--quiet', '--allow-empty', '-m', message], { cwd: dir });
  return headOf(dir);
}

function headOf(dir: string): string {
  return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
}

export function exampleFile(path: string): string {
  return readFileSync(join(EXAMPLE, path), 'utf8');
}

/**
 * What the stack's EventBridge rule does with a `tollgate.git` "Commit Pushed" event: StartExecution
 * with the event as the input.
 */
export async function push(r: Rehearsal, dir: string, sha: string): Promise<string> {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
  const id = randomUUID();
  const event = {
    version: '0',
    id,
    'detail-type': 'Commit Pushed',
    source: 'tollgate.git',
    account: r.stateMachineArn.split(':')[4],
    time: new Date().toISOString(),
    region: r.stateMachineArn.split(':')[3],
    resources: [],
    detail: {
      repository: r.config.source.repository,
      branch: 'main',
      commit: sha,
      parents: git('rev-list', '--parents', '-n', '1', sha).split(' ').slice(1),
      author: AUTHOR,
      message: git('log', '-1', '--format=%s', sha),
      timestamp: new Date().toISOString(),
    },
  };
  const out = (await r.engine.service.dispatch('StartExecution', {
    stateMachineArn: r.stateMachineArn,
    name: id,
    input: JSON.stringify(event),
  })) as { executionArn: string };
  return out.executionArn;
}

export interface ExecutionView {
  readonly status: string;
  readonly error?: string;
  readonly cause?: string;
  readonly output?: unknown;
}

export async function describe(r: Rehearsal, executionArn: string): Promise<ExecutionView> {
  const d = (await r.engine.service.dispatch('DescribeExecution', { executionArn })) as Record<
    string,
    string
  >;
  return {
    status: d.status,
    ...(d.error ? { error: d.error } : {}),
    ...(d.cause ? { cause: d.cause } : {}),
    ...(d.output ? { output: JSON.parse(d.output) } : {}),
  };
}

/** Polls until `done` holds (or the run ends); real time, bounded. */
export async function waitFor(
  r: Rehearsal,
  executionArn: string,
  done: (view: ExecutionView) => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 300_000,
): Promise<ExecutionView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await describe(r, executionArn);
    if (await done(view)) return view;
    if (view.status !== 'RUNNING')
      throw new Error(
        `run ended ${view.status} before ${what}: ${view.error ?? ''} ${summarize(view.cause)}`,
      );
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

function summarize(cause: string | undefined): string {
  if (!cause) return '';
  try {
    const parsed = JSON.parse(cause);
    return String(parsed.errorMessage ?? parsed.cause ?? cause).slice(0, 600);
  } catch {
    return cause.slice(0, 600);
  }
}

function approvals(r: Rehearsal): DynamoDbApprovalStore {
  const id = r.model.ofType('AWS::DynamoDB::Table').find((t) => /Approvals/.test(t))!;
  return new DynamoDbApprovalStore({
    client: new DynamoDBClient(adminClientConfig(r.moto.endpoint)),
    tableName: r.model.physicalName(id),
  });
}

/** The pending approval of the run for `environment`, once the gate asked for it. */
export async function pendingApproval(r: Rehearsal, executionArn: string, environment: string) {
  const pending = await approvals(r).listPending({ executionArn });
  return pending.find((p) => p.environment === environment);
}

/** Decides through the stack's approve URL, SigV4-signed with the approver's own credentials. */
export async function decide(
  approveUrl: string,
  approver: { accessKeyId: string; secretAccessKey: string },
  approvalId: string,
  decision: 'approve' | 'reject',
) {
  const client = new ApproveUrlClient({ url: approveUrl, credentials: approver, region: 'us-east-1' });
  return client.decide({ approvalId, decision, comment: 'rehearsal' });
}

/** Every state the run entered, in order (names only), for assertions on the path it took. */
export async function statesEntered(r: Rehearsal, executionArn: string): Promise<string[]> {
  const out: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = (await r.engine.service.dispatch('GetExecutionHistory', {
      executionArn,
      maxResults: 1000,
      ...(nextToken ? { nextToken } : {}),
    })) as {
      events: Array<{ type: string; stateEnteredEventDetails?: { name: string } }>;
      nextToken?: string;
    };
    for (const e of page.events) if (e.stateEnteredEventDetails) out.push(e.stateEnteredEventDetails.name);
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

/** The failing task events of a run: which state, which error, which cause. */
export async function failures(r: Rehearsal, executionArn: string): Promise<string[]> {
  const page = (await r.engine.service.dispatch('GetExecutionHistory', {
    executionArn,
    maxResults: 1000,
  })) as {
    events: Array<Record<string, { error?: string; cause?: string } | string | number>>;
  };
  const out: string[] = [];
  let state = '';
  for (const e of page.events) {
    const entered = e.stateEnteredEventDetails as unknown as { name?: string } | undefined;
    if (entered?.name) state = entered.name;
    for (const key of [
      'taskFailedEventDetails',
      'lambdaFunctionFailedEventDetails',
      'executionFailedEventDetails',
    ]) {
      const d = e[key] as { error?: string; cause?: string } | undefined;
      if (d) out.push(`${state}: ${d.error} ${summarize(d.cause)}`);
    }
  }
  return out;
}
