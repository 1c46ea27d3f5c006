import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbApprovalStore } from '../../../../functions/shared/adapters/aws/dynamodb-approval-store.js';
import { S3Ledger } from '../../../../functions/shared/adapters/aws/s3-ledger.js';
import { SfnTaskCallback } from '../../../../functions/shared/adapters/aws/sfn-task-callback.js';
import { systemClock } from '../../../../functions/shared/clock.js';
import { localClientConfig, readCredentials } from '../../../../runtime/server/credentials.js';
import { runEngineCommand } from '../../../../runtime/server/engine-command.js';
import { FakeDynamoDb } from '../../../support/fake-dynamodb.js';
import { FakeS3Ledger } from '../../../support/fake-s3-ledger.js';
import { newApproval } from '../../functions/approve/approval-fixture.js';
import { waitFor } from '../e2e-harness.js';
import { type Principal, startFunctionUrl } from './function-url-server.js';

export const BOB = {
  accessKeyId: 'AKIAIOSFODNN7BOB0000',
  secretAccessKey: 'bob-secret-key-0000000000000000000000000',
  arn: 'arn:aws:iam::123456789012:user/bob',
};
const GATE_ASL = {
  Comment: 'a pipeline reduced to its approval gate',
  StartAt: 'ApprovalGate',
  States: {
    ApprovalGate: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: 'request-approval', Payload: { 'taskToken.$': '$$.Task.Token' } },
      Next: 'Deployed',
    },
    Deployed: { Type: 'Succeed' },
  },
};

/**
 * A deployed Tollgate stack, each AWS service as real as this machine allows: Step Functions is
 * Tollgate's own engine behind its AWS API (an unmodified SFNClient talks to it), the approve
 * function URL is the real approve handler behind SigV4 verification, and only CloudFormation,
 * DynamoDB and S3 are aws-sdk-client-mock stubs (stateful ones for the last two).
 *
 * `engineKeyIs` names the principal the engine's own access key resolves to at the function URL,
 * for callers (the CLI) that sign every request with one set of credentials from the environment.
 */
export async function startAwsStack(options: { engineKeyIs?: string } = {}) {
  const cfn = mockClient(CloudFormationClient);
  const dynamo = mockClient(DynamoDBClient);
  const s3 = mockClient(S3Client);
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-aws-stack-'));
  writeFileSync(join(dir, 'request-approval.mjs'), 'export const handler = async () => ({});\n');
  writeFileSync(
    join(dir, 'functions.json'),
    JSON.stringify({ 'request-approval': './request-approval.mjs' }),
  );
  const engineDir = join(dir, 'engine');
  const engine = await runEngineCommand({
    port: 0,
    dataDir: engineDir,
    functions: join(dir, 'functions.json'),
    print: () => undefined,
  });
  const sfn = new SFNClient({ ...localClientConfig(engineDir, engine.endpoint), maxAttempts: 1 });
  new FakeDynamoDb('approvals', { pending: { partition: 'pending', sort: 'requestedAt' } }).install(dynamo);
  new FakeS3Ledger('ledger').install(s3);
  const approvals = () =>
    new DynamoDbApprovalStore({ client: new DynamoDBClient({}), tableName: 'approvals' });
  const ledger = () => new S3Ledger({ client: new S3Client({}), bucket: 'ledger', retentionSeconds: 86_400 });
  const principals: Principal[] = [BOB];
  if (options.engineKeyIs) principals.push({ ...readCredentials(engineDir), arn: options.engineKeyIs });
  const fn = await startFunctionUrl({
    principals,
    now: () => new Date(),
    ports: async () =>
      ({
        config: { name: 'orders-service' },
        clock: systemClock,
        ledger: ledger(),
        approvals: approvals(),
        callback: new SfnTaskCallback(sfn),
      }) as never,
  });

  const stackOutputs = (stateMachineArn: string) =>
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'Tollgate',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: Object.entries({
            StateMachineArn: stateMachineArn,
            ApprovalsTableName: 'approvals',
            ApproveUrl: fn.url,
            LedgerBucketName: 'ledger',
            ArtifactBucketName: 'artifacts',
          }).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
        },
      ],
    });

  /** A run waiting at its gate, with the pending approval request-approval would have stored. */
  async function runAtGate(approvers: string[] = ['bob']) {
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: 'tollgate-orders-service',
        definition: JSON.stringify(GATE_ASL),
        roleArn: 'arn:aws:iam::123456789012:role/tollgate',
      }),
    );
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name: 'run-1', input: '{}' }),
    );
    const token = await waitFor('the gate to hand out its token', async () => {
      const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
      const scheduled = events?.find((e) => e.type === 'TaskScheduled');
      const parameters = scheduled?.taskScheduledEventDetails?.parameters;
      return parameters ? (JSON.parse(parameters).Payload.taskToken as string) : undefined;
    });
    const now = new Date();
    const { record } = await approvals().createPending(
      newApproval({
        executionArn: executionArn!,
        pipeline: 'orders-service',
        environment: 'prod',
        approvers,
        requestedAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + 3_600_000).toISOString(),
      }),
      token,
    );
    stackOutputs(stateMachineArn!);
    return { stateMachineArn: stateMachineArn!, executionArn: executionArn!, token, record };
  }

  const finished = (executionArn: string) =>
    waitFor('the run to finish', async () => {
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return d.status === 'RUNNING' ? undefined : d.status;
    });

  return {
    cfn,
    sfn,
    fn,
    engine,
    engineDir,
    approvals,
    ledger,
    runAtGate,
    finished,
    async close() {
      await fn.close();
      await engine.close();
      cfn.restore();
      dynamo.restore();
      s3.restore();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
