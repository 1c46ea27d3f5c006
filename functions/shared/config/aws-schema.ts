import * as z from 'zod';

/**
 * `aws`: what only the CDK stack reads. Everything a real account needs beyond the pipeline itself
 * (connection secrets, the network the data functions run in, where CodeBuild fetches commits, the
 * chat webhook) is typed data here instead of scattered `-c` context values, so `cdk synth` with
 * the config alone produces a deployable stack. The local runtime ignores this block.
 */

/** A Secrets Manager secret name or ARN; infra/database-secrets.ts checks the exact grammar. */
const secretId = z.string().min(1, 'must be a Secrets Manager secret name or ARN');

const awsId = (prefix: string, example: string) =>
  z.string().regex(new RegExp(`^${prefix}-[0-9a-f]{8}(?:[0-9a-f]{9})?$`), `must be an id like "${example}"`);

const network = z.strictObject({
  /** The VPC the data functions (refresh, masking, migrations, checks) run in. */
  vpcId: awsId('vpc', 'vpc-0a1b2c3d4e5f60718'),
  /** Private subnets with a route to Secrets Manager, RDS and S3 (NAT gateway or VPC endpoints). */
  subnetIds: z
    .array(awsId('subnet', 'subnet-0a1b2c3d4e5f60718'))
    .min(1, 'list at least one private subnet id, e.g. ["subnet-0a1b2c3d4e5f60718"]'),
  /** The databases' security group; the stack adds an ingress rule from the data functions. */
  databaseSecurityGroupId: awsId('sg', 'sg-0a1b2c3d4e5f60718'),
  databasePort: z.number().int().min(1).max(65_535).default(5432),
});

/** CodeConnections (or its former name, CodeStar Connections) connection ARN. */
const CONNECTION_ARN =
  /^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[0-9a-f-]{36}$/;

const buildSource = z.discriminatedUnion('type', [
  /** The CodeCommit repository named `source.repository`. */
  z.strictObject({ type: z.literal('codecommit') }),
  /** `github.com/<owner>/<source.repository>`, fetched through a CodeConnections connection. */
  z.strictObject({
    type: z.literal('github'),
    owner: z
      .string()
      .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, 'must be a GitHub user or organization name'),
    connectionArn: z
      .string()
      .regex(
        CONNECTION_ARN,
        'must be a CodeConnections connection ARN like arn:aws:codeconnections:eu-west-1:111122223333:connection/<uuid> (create one in the console: Developer Tools > Connections)',
      ),
  }),
]);

export const awsSettings = z.strictObject({
  /**
   * Secrets Manager id of each environment's database connection secret (RDS secret JSON: host,
   * port, username, password, dbname), keyed by environment name, or by the environment's first
   * target volume when `database.volumes` is set.
   */
  databaseSecrets: z.record(z.string().min(1), secretId).default({}),
  network: network.optional(),
  buildSource: buildSource.default({ type: 'codecommit' }),
  /** Secrets Manager id of a chat webhook URL (Slack, Teams) that approval notices also go to. */
  notificationWebhookSecret: secretId.optional(),
});

type AwsSettings = z.output<typeof awsSettings>;
export type AwsNetworkSettings = NonNullable<AwsSettings['network']>;
export type AwsBuildSource = AwsSettings['buildSource'];
