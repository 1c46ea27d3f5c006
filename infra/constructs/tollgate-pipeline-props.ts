import type * as codebuild from 'aws-cdk-lib/aws-codebuild';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { TollgateConfigInput } from '../../functions/shared/config/schema.js';

export interface TollgatePipelineProps {
  /**
   * The config as written in tollgate.config.ts (`defineConfig` input). It is validated here and
   * passed to the functions as JSON, which they validate again with the same schema.
   */
  readonly config: TollgateConfigInput;
  /**
   * Repository root holding `functions/` and `statemachines/`.
   * @default the root of this repository
   */
  readonly projectRoot?: string;
  /**
   * The ASL file.
   * @default `<projectRoot>/statemachines/pipeline.asl.json`
   */
  readonly definitionPath?: string;
  /**
   * Bus that carries commit events.
   * @default the account's default bus, where CodeCommit puts its events
   */
  readonly eventBus?: events.IEventBus;
  /**
   * Where the build project fetches commits from. Give it here or as `aws.buildSource` in the
   * config, not both.
   * @default `aws.buildSource` from the config (CodeCommit repository `config.source.repository`)
   */
  readonly buildSource?: codebuild.ISource;
  /**
   * Roles the deploy and rollback functions may pass to ECS tasks.
   * @default roles named `<config.name>-*`, passable only to ecs-tasks.amazonaws.com
   */
  readonly ecsPassRoleArns?: readonly string[];
  /**
   * Create the GitHub push webhook receiver.
   * @default true
   */
  readonly githubWebhook?: boolean;
  /**
   * Retention of every log group the pipeline creates.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Secrets Manager id (name or ARN) of each environment's database connection secret (RDS secret
   * JSON: host, port, username, password, dbname), keyed by environment name, or by the environment's
   * first target volume when `database.volumes` is set. Every environment with `database` needs one
   * unless the provider is `local`; synth fails naming the missing ones. The refresh, masking,
   * migration and check functions may read exactly these (and, with aurora-clone, refresh-data may
   * rewrite them to switch an environment to a new clone). Give it here or as
   * `aws.databaseSecrets` in the config, not both.
   * @default `aws.databaseSecrets` from the config
   */
  readonly databaseSecrets?: Readonly<Record<string, string>>;
  /**
   * VPC to run the data functions (refresh-data, mask-data, verify-masking, migrate-database,
   * check-data) in, so they can reach private databases. Give `databaseSecurityGroup` with it. The
   * subnets need a route to Secrets Manager, RDS and S3 (NAT gateway or VPC endpoints). The
   * network props and `aws.network` in the config are two ways to say the same; give one.
   * @default `aws.network` from the config, else the data functions run outside any VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Security group of the environments' databases; it gets an ingress rule from the data functions.
   * @default none (only together with `vpc`)
   */
  readonly databaseSecurityGroup?: ec2.ISecurityGroup;
  /**
   * Subnets of `vpc` for the data functions.
   * @default the VPC's private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Port the environment databases listen on.
   * @default 5432
   */
  readonly databasePort?: number;
}
