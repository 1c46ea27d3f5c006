import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { userInfo } from 'node:os';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DescribeStateMachineCommand } from '@aws-sdk/client-sfn';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { createDiffRoute } from '../../console/server/diff-route.js';
import { createConsoleRoutes, sfnClientApi } from '../../console/server/index.js';
import { createRedeployRoute } from '../../console/server/redeploy-route.js';
import { repositoryOf } from '../../console/server/repository-link.js';
import { CloudWatchTaskLogs } from '../../functions/shared/adapters/aws/cloudwatch-task-logs.js';
import { DynamoDbApprovalStore } from '../../functions/shared/adapters/aws/dynamodb-approval-store.js';
import { S3ArtifactStore } from '../../functions/shared/adapters/aws/s3-artifact-store.js';
import { GitSourceRepository } from '../../functions/shared/adapters/local/git-source-repository.js';
import type { TollgateConfig } from '../../functions/shared/config/schema.js';
import { replyJson } from '../../runtime/local-api/json-reply.js';
import { chainRoutes } from '../../runtime/up/console-routes.js';
import type { AwsCliTarget } from '../client/cli-context.js';
import { CliError, ExitCode } from '../client/cli-error.js';
import { ApproveUrlClient } from './approve-url-client.js';
import { createAwsApprovalsRoute } from './aws-approvals-route.js';
import { stackLogGroups } from './stack-log-groups.js';
import { StackOutputName } from './stack-outputs.js';

const DEFAULT_CONSOLE_PORT = 4700;

export interface AwsConsoleOptions {
  readonly target: AwsCliTarget;
  /** The project's config: the pipeline name and the environments, in order. */
  readonly config: TollgateConfig;
  /** @default 4700; 0 picks a free port */
  readonly port?: number;
  /** For the approve URL; @default the default AWS credential chain */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  readonly onInternalError?: (error: unknown) => void;
  /** The working copy the diff page lists commits from (`--repo`). @default the current directory */
  readonly sourceDir?: string;
}

export interface AwsConsole {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * `tollgate console --aws`: the console page and its API served on loopback, reading the deployed
 * stack (executions, history, ledger, pending approvals) with the user's credentials and deciding
 * through the stack's approve URL. Nothing is deployed for it and nothing listens beyond this
 * machine; the page is the same one `tollgate up` serves.
 */
export async function startAwsConsole(options: AwsConsoleOptions): Promise<AwsConsole> {
  const { target, config } = options;
  // Every output is read up front, so a stack that is missing one fails now, in one line,
  // rather than on the first click.
  const [stateMachineArn, tableName, approveUrl, artifactBucket] = await Promise.all([
    target.output(StackOutputName.StateMachineArn),
    target.output(StackOutputName.ApprovalsTableName),
    target.output(StackOutputName.ApproveUrl),
    target.output(StackOutputName.ArtifactBucketName),
  ]);
  const sfn = target.sfn();
  const described = await sfn
    .send(new DescribeStateMachineCommand({ stateMachineArn }))
    .catch((error: Error) => {
      throw new CliError(
        `cannot read the pipeline state machine: ${error.name}: ${error.message.split('\n')[0]}`,
        ExitCode.Unreachable,
        { cause: error },
      );
    });
  const ledger = await target.ledger();
  const approvals = new DynamoDbApprovalStore({ client: new DynamoDBClient({}), tableName });
  const signer = new ApproveUrlClient({ url: approveUrl, credentials: options.credentials });
  const secret = randomBytes(32).toString('hex');

  let routes: ((req: IncomingMessage, res: ServerResponse) => Promise<boolean>) | undefined;
  const report = options.onInternalError ?? ((error: unknown) => console.error('console:', error));
  const server = createServer((req, res) => {
    const handle = async () => {
      if (req.url === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
        res.writeHead(302, { location: '/console' }).end();
        return;
      }
      if (!(await routes?.(req, res))) replyJson(res, 404, { error: 'not-found', reason: `${req.url}` });
    };
    handle().catch((error) => {
      report(error);
      if (!res.headersSent)
        replyJson(res, 500, { error: 'internal', reason: 'the console failed to answer' });
      else res.destroy();
    });
  });
  const port = await listen(server, options.port ?? DEFAULT_CONSOLE_PORT);
  const consoleRoutes = createConsoleRoutes({
    sfn: sfnClientApi(sfn),
    ledger,
    approvals,
    aslText: described.definition ?? '',
    stateMachineArn,
    // The build source in the config, in the stack's region (read off the state machine's ARN).
    repository: repositoryOf(config, { region: stateMachineArn.split(':')[3] }),
    // Each stage's log from the task functions' CloudWatch log groups.
    taskLogs: new CloudWatchTaskLogs({
      client: new CloudWatchLogsClient({}),
      logGroups: stackLogGroups(target.stack),
    }),
    config,
    secret,
    port,
    onInternalError: report,
  });
  // "Deploy to …" starts the stack's pipeline with your credentials (states:StartExecution),
  // attributed as `tollgate deploy --aws` attributes it.
  const redeploy = createRedeployRoute({
    config,
    ledger,
    artifacts: new S3ArtifactStore({ client: new S3Client({}), bucket: artifactBucket }),
    sfn: sfnClientApi(sfn),
    stateMachineArn: () => stateMachineArn,
    secret,
    port: () => port,
    user: process.env.TOLLGATE_USER || userInfo().username,
    onInternalError: report,
  });
  // The diff page reads releases from the stack's bucket and commits from your working copy.
  const diff = createDiffRoute({
    config,
    ledger,
    artifacts: new S3ArtifactStore({ client: new S3Client({}), bucket: artifactBucket }),
    source: new GitSourceRepository({ [config.source.repository]: options.sourceDir ?? process.cwd() }),
    port: () => port,
    onInternalError: report,
  });
  routes = chainRoutes(
    createAwsApprovalsRoute({ secret, port: () => port, approvals, approveUrl: signer }),
    redeploy,
    diff,
    consoleRoutes,
  ) as typeof routes;
  return {
    url: `http://127.0.0.1:${port}/console`,
    close: async () => {
      consoleRoutes.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Binds to loopback only: the console acts with the user's AWS credentials. */
function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new CliError(`port ${port} is in use; pass --port`, ExitCode.Unreachable)
          : error,
      );
    });
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}
