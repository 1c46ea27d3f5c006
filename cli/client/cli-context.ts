import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { DirLedger } from '../../functions/shared/adapters/local/dir-ledger.js';
import type { Ledger } from '../../functions/shared/ports/ledger.js';
import { StackOutput } from '../../infra/stack-output-names.js';
import { credentialsPath, localClientConfig } from '../../runtime/server/credentials.js';
import { readRuntimeInfo } from '../../runtime/up/runtime-info.js';
import type { StackOutputs } from '../aws/stack-outputs.js';
import { CliError, ExitCode } from './cli-error.js';
import { localSfnCalls, type SfnCalls, sdkSfnCalls } from './sfn-calls.js';

/** Options every command takes (docs/cli.md, "Common options"). */
export interface CommonOptions {
  readonly json?: boolean;
  readonly endpoint?: string;
  readonly dataDir?: string;
  readonly aws?: boolean;
  readonly stack?: string;
}

const DEFAULT_ENDPOINT = 'http://127.0.0.1:4600';
export const DEFAULT_STACK = 'Tollgate';

/** Where the commands talk to: the local runtime, or the deployed stack with the default credential chain. */
export interface CliTarget {
  readonly mode: 'local' | 'aws';
  /** Shown in errors: the endpoint, or `stack <name>`. */
  readonly where: string;
  readonly dataDir: string;
  /** The SDK's client, for the commands that write (deploy, redrive) and the AWS console. */
  sfn(): Pick<SFNClient, 'send'>;
  /** The reads `runs` and `show` make: locally one signed POST each, without loading the SDK. */
  readonly reads: SfnCalls;
  /** Async: only `push` sends events, and the other commands should not load the EventBridge client. */
  events(): Promise<EventBridgeClient>;
  ledger(): Promise<Ledger>;
  /** The pipeline state machines runs are listed from; undefined means every `tollgate-*` one. */
  stateMachineArns(): Promise<string[] | undefined>;
}

/** An environment setting; set-but-empty (`TOLLGATE_ENDPOINT=`) counts as unset, as shells mean it. */
export function setting(name: string): string | undefined {
  return process.env[name] || undefined;
}

export function dataDirOf(options: CommonOptions): string {
  return resolve(options.dataDir ?? setting('TOLLGATE_DATA_DIR') ?? '.tollgate');
}

/** --endpoint, else TOLLGATE_ENDPOINT, else where the data directory's runtime said it listens, else 4600. */
export function endpointOf(options: CommonOptions, dataDir = dataDirOf(options)): string {
  return (
    options.endpoint ?? setting('TOLLGATE_ENDPOINT') ?? readRuntimeInfo(dataDir)?.endpoint ?? DEFAULT_ENDPOINT
  );
}

export function notRunning(endpoint: string): CliError {
  return new CliError(
    `no Tollgate runtime at ${endpoint}; start it with \`npx tollgate up\``,
    ExitCode.Unreachable,
  );
}

/** The deployed stack's target, which can also read the stack's other outputs. */
export interface AwsCliTarget extends CliTarget {
  readonly mode: 'aws';
  /** The stack's name (`--stack`, else TOLLGATE_STACK, else Tollgate). */
  readonly stack: string;
  output(name: string): Promise<string>;
}

export function createTarget(options: CommonOptions & { aws: true }): AwsCliTarget;
export function createTarget(options: CommonOptions): CliTarget;
export function createTarget(options: CommonOptions): CliTarget {
  return options.aws ? awsTarget(options) : localTarget(options);
}

function localTarget(options: CommonOptions): CliTarget {
  const dataDir = dataDirOf(options);
  const endpoint = endpointOf(options, dataDir);
  const config = () => {
    // No credentials means no runtime ever started on this data directory.
    if (!existsSync(credentialsPath(dataDir))) throw notRunning(endpoint);
    return localClientConfig(dataDir, endpoint);
  };
  const sfn = lazySfn(() => ({ ...config(), maxAttempts: 1 }));
  let events: Promise<EventBridgeClient> | undefined;
  return {
    mode: 'local',
    where: endpoint,
    dataDir,
    sfn: () => sfn,
    reads: localSfnCalls(config),
    events: () => {
      events ??= eventBridge().then((client) => new client({ ...config(), maxAttempts: 1 }));
      return events;
    },
    ledger: async () => {
      if (!existsSync(join(dataDir, 'ledger'))) {
        if (!existsSync(credentialsPath(dataDir))) throw notRunning(endpoint);
      }
      return new DirLedger(join(dataDir, 'ledger'));
    },
    stateMachineArns: async () => undefined,
  };
}

// The AWS-only clients load on first use: the local commands (most calls) never need them, and
// loading the S3, CloudFormation and EventBridge clients was most of a local command's start-up.
const eventBridge = async () => (await import('@aws-sdk/client-eventbridge')).EventBridgeClient;

/** The SDK's Step Functions client, loaded at its first call: it is most of a read command's start-up. */
function lazySfn(config: () => Record<string, unknown>): Pick<SFNClient, 'send'> {
  let client: Promise<SFNClient> | undefined;
  const send = async (command: Parameters<SFNClient['send']>[0]) => {
    client ??= import('@aws-sdk/client-sfn').then((m) => new m.SFNClient(config()));
    return (await client).send(command);
  };
  return { send: send as SFNClient['send'] };
}

function awsTarget(options: CommonOptions): AwsCliTarget {
  const stackName = options.stack ?? setting('TOLLGATE_STACK') ?? DEFAULT_STACK;
  let stack: Promise<StackOutputs> | undefined;
  const output = async (name: string) => {
    stack ??= import('../aws/stack-outputs.js').then((m) => new m.StackOutputs(stackName));
    return (await stack).get(name);
  };
  return {
    mode: 'aws',
    stack: stackName,
    where: `stack ${stackName}`,
    output,
    dataDir: dataDirOf(options),
    sfn: () => lazySfn(() => ({})),
    reads: sdkSfnCalls(() => ({})),
    events: async () => new (await eventBridge())({}),
    ledger: async () => {
      const [{ S3Ledger }, { S3Client }] = await Promise.all([
        import('../../functions/shared/adapters/aws/s3-ledger.js'),
        import('@aws-sdk/client-s3'),
      ]);
      return new S3Ledger({
        client: new S3Client({}),
        bucket: await output(StackOutput.LedgerBucketName),
        // Reading never locks anything; the retention only applies to appends.
        retentionSeconds: 86_400,
      });
    },
    stateMachineArns: async () => [await output(StackOutput.StateMachineArn)],
  };
}
