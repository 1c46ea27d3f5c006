import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { SFNClient } from '@aws-sdk/client-sfn';
import { TASKS } from '../../../../functions/task-registry.js';
import {
  inStackPartition,
  integrationBindings,
  readDefinition,
  stackBindings,
} from '../../../../infra/asl-substitutions.js';
import { DEFAULT_DEFINITION_PATH } from '../../../../infra/repo-paths.js';
import { StackOutput } from '../../../../infra/stack-output-names.js';
import { localClientConfig } from '../../../../runtime/server/credentials.js';
import { runEngineCommand } from '../../../../runtime/server/engine-command.js';
import { substitute } from '../../../../statemachines/placeholders.js';
import { type MotoServer, startMotoServer } from '../../../support/moto-server.js';
import { startSfnValidationRouter } from '../../../support/sfn-validation-router.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const APPROVE_URL = 'https://abcdefghijklmnop0123456789.lambda-url.us-east-1.on.aws/';

/**
 * The pipeline definition as Step Functions holds it once the Tollgate stack is deployed: the
 * repository's ASL with the stack's substitutions (function ARNs, the CodeBuild integration, the
 * partition's Lambda integrations) applied, as CloudFormation hands it to CreateStateMachine.
 */
export function deployedDefinition(): string {
  const functionArnsByPlaceholder = Object.fromEntries(
    TASKS.map((t) => [t.placeholder, `arn:aws:lambda:${REGION}:${ACCOUNT}:function:tollgate-${t.name}`]),
  );
  return substitute(inStackPartition(readDefinition(DEFAULT_DEFINITION_PATH)), {
    ...stackBindings({
      functionArnsByPlaceholder,
      partition: 'aws',
      buildProjectName: 'orders-service-build',
      pipelineName: 'orders-service',
    }),
    ...integrationBindings('aws'),
  });
}

export interface DoctorStackOptions {
  /** Outputs the deployed stack lacks. */
  readonly without?: readonly string[];
  /** @default deployedDefinition() */
  readonly definition?: string;
  /** @default APPROVE_URL */
  readonly approveUrl?: string;
}

/**
 * A deployed stack for `tollgate doctor --aws` to examine: CloudFormation, DynamoDB, S3 and Step
 * Functions are moto_server's (the stack is created from a template, so its outputs and resources
 * come from CloudFormation as they would in an account), and ValidateStateMachineDefinition, which
 * moto lacks, is Tollgate's engine behind the same endpoint (test/support/sfn-validation-router.ts).
 * `env` points the CLI's unmodified SDK clients there, as AWS_ENDPOINT_URL_* does for a user.
 */
export async function startDoctorAws() {
  const moto: MotoServer = await startMotoServer();
  const engineDir = mkdtempSync(join(tmpdir(), 'tollgate-doctor-engine-'));
  const engine = await runEngineCommand({ port: 0, dataDir: engineDir, print: () => undefined });
  const router = await startSfnValidationRouter({
    moto: moto.endpoint,
    engine: new SFNClient({ ...localClientConfig(engineDir, engine.endpoint), maxAttempts: 1 }),
  });
  const cfn = new CloudFormationClient(moto.clientConfig);

  async function deploy(stackName: string, options: DoctorStackOptions = {}): Promise<void> {
    const outputs: Record<string, unknown> = {
      [StackOutput.StateMachineArn]: { Ref: 'Pipeline' },
      [StackOutput.LedgerBucketName]: { Ref: 'Ledger' },
      [StackOutput.LockTableName]: { Ref: 'Locks' },
      [StackOutput.ApprovalsTableName]: { Ref: 'Approvals' },
      [StackOutput.ApproveUrl]: options.approveUrl ?? APPROVE_URL,
      [StackOutput.ArtifactBucketName]: 'tollgate-artifacts',
    };
    for (const name of options.without ?? []) delete outputs[name];
    const table = (name: string) => ({
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        TableName: `${stackName}-${name}`,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      },
    });
    const template = {
      Resources: {
        Pipeline: {
          Type: 'AWS::StepFunctions::StateMachine',
          Properties: {
            StateMachineName: `${stackName}-pipeline`,
            DefinitionString: options.definition ?? deployedDefinition(),
            RoleArn: `arn:aws:iam::${ACCOUNT}:role/${stackName}-pipeline`,
          },
        },
        Ledger: { Type: 'AWS::S3::Bucket', Properties: { BucketName: `${stackName.toLowerCase()}-ledger` } },
        Locks: table('locks'),
        Approvals: table('approvals'),
      },
      Outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { Value: v }])),
    };
    await cfn.send(new CreateStackCommand({ StackName: stackName, TemplateBody: JSON.stringify(template) }));
  }

  return {
    deploy,
    moto,
    /** The environment `tollgate doctor --aws` runs with: signed in, this region, these endpoints. */
    env: {
      AWS_ACCESS_KEY_ID: moto.clientConfig.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: moto.clientConfig.credentials.secretAccessKey,
      AWS_SESSION_TOKEN: '',
      AWS_REGION: REGION,
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ENDPOINT_URL_SFN: router.endpoint,
    },
    async close() {
      await router.close();
      await engine.close();
      await moto.stop();
      rmSync(engineDir, { recursive: true, force: true });
    },
  };
}
