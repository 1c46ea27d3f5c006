import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Annotations, ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type * as codebuild from 'aws-cdk-lib/aws-codebuild';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { parseConfig } from '../../functions/shared/config/load-config.js';
import type { TollgateConfigInput } from '../../functions/shared/config/schema.js';
import { TASK_ENV } from '../../functions/shared/wiring/env.js';
import { TASKS, type TaskName } from '../../functions/task-registry.js';
import { stackBindings } from '../asl-substitutions.js';
import { databaseSecretProblems, databaseSecretsVariable, secretResourceArn } from '../database-secrets.js';
import { commitEventPatterns } from '../event-patterns.js';
import { capabilityGrants, type GrantedFunction, type GrantTargets } from '../function-grants.js';
import { providerProblems, providerTargets } from '../provider-grants.js';
import { handlerEntry, REPO_ROOT } from '../repo-paths.js';
import { APPROVALS_TABLE, ApprovalResources } from './approval-resources.js';
import { ApproveEndpoint } from './approve-endpoint.js';
import { BuildProject } from './build-project.js';
import { CommitRules } from './commit-rules.js';
import { DataNetwork } from './data-network.js';
import { attachGrants } from './function-policies.js';
import { PipelineStateMachine } from './pipeline-state-machine.js';
import { PipelineStorage } from './pipeline-storage.js';
import { RunEndRule } from './run-end-rule.js';
import { type FunctionNetwork, TollgateFunction } from './tollgate-function.js';
import { WebhookReceiver } from './webhook-receiver.js';

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
   * Where the build project fetches commits from.
   * @default the CodeCommit repository named `config.source.repository`
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
   * rewrite them to switch an environment to a new clone).
   * @default none
   */
  readonly databaseSecrets?: Readonly<Record<string, string>>;
  /**
   * VPC to run the data functions (refresh-data, mask-data, verify-masking, migrate-database,
   * check-data) in, so they can reach private databases. Give `databaseSecurityGroup` with it. The
   * subnets need a route to Secrets Manager, RDS and S3 (NAT gateway or VPC endpoints).
   * @default the data functions run outside any VPC
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

/** The tasks that open database connections; with `vpc` they run inside it. */
export const DATA_TASKS: readonly TaskName[] = [
  'refresh-data',
  'mask-data',
  'verify-masking',
  'migrate-database',
  'check-data',
];

/** Tasks that need more than the house defaults: register-release streams artifacts up to a few GB. */
const TASK_SIZING: Partial<Record<TaskName, { timeout: Duration; memorySize: number }>> = {
  'register-release': { timeout: Duration.minutes(15), memorySize: 1024 },
  deploy: { timeout: Duration.minutes(2), memorySize: 512 },
  rollback: { timeout: Duration.minutes(2), memorySize: 512 },
};

/**
 * Tollgate on AWS: commit rules, the pipeline state machine, one least-privilege function per task,
 * the build project, and the stores for releases, ledger, images and the concurrency lock.
 */
export class TollgatePipeline extends Construct {
  readonly storage: PipelineStorage;
  readonly approvals: ApprovalResources;
  readonly functions: Readonly<Record<TaskName, TollgateFunction>>;
  readonly approve: ApproveEndpoint;
  readonly build: BuildProject;
  readonly stateMachine: sfn.StateMachine;
  readonly rules: CommitRules;
  /** Releases the lock of a run that was stopped, timed out or failed. */
  readonly runEnd: RunEndRule;
  readonly webhook?: WebhookReceiver;
  readonly dataNetwork?: DataNetwork;

  constructor(scope: Construct, id: string, props: TollgatePipelineProps) {
    super(scope, id);
    // Validate the JSON round trip, not the object: TOLLGATE_CONFIG is what the functions will read.
    const configJson = JSON.stringify(props.config);
    const config = parseConfig(JSON.parse(configJson ?? 'null'), 'TollgatePipeline props.config');
    const root = props.projectRoot ?? REPO_ROOT;
    const definitionPath = props.definitionPath ?? resolve(root, 'statemachines/pipeline.asl.json');
    if (!existsSync(definitionPath))
      throw new Error(`state machine definition not found at ${definitionPath}`);
    if (props.ecsPassRoleArns?.length === 0) {
      throw new Error(
        'ecsPassRoleArns is empty; leave it undefined for the default or list the ECS task roles',
      );
    }
    if ((props.vpc === undefined) !== (props.databaseSecurityGroup === undefined)) {
      throw new Error(
        'vpc and databaseSecurityGroup go together: give both to run the data functions next to the databases, or neither',
      );
    }
    if (props.vpcSubnets && !props.vpc) throw new Error('vpcSubnets needs vpc');
    const stack = Stack.of(this);
    const eventBus = props.eventBus ?? events.EventBus.fromEventBusName(this, 'Bus', 'default');

    this.storage = new PipelineStorage(this, 'Storage', {
      ledgerRetentionDays: Math.max(1, Math.ceil(config.ledger.retention / 86_400)),
      ...(config.build.image ? { imageRepositoryName: config.build.image.repository } : {}),
    });
    const { artifacts, ledger, locks, images } = this.storage;
    this.approvals = new ApprovalResources(this, 'Approvals');

    // The same name plan-run hands to the Build state, so the two cannot drift apart.
    const projectName = config.build.codebuildProject ?? `${config.name}-build`;
    this.build = new BuildProject(this, 'Build', {
      config,
      projectName,
      artifacts,
      images,
      ...(props.buildSource ? { source: props.buildSource } : {}),
    });

    const environment = {
      [TASK_ENV.config]: configJson,
      [TASK_ENV.artifactBucket]: artifacts.bucketName,
      [TASK_ENV.ledgerBucket]: ledger.bucketName,
      [TASK_ENV.lockTable]: locks.tableName,
      [TASK_ENV.imageRepository]: images.repositoryName,
      [TASK_ENV.notifyTopicArn]: this.approvals.topic.topicArn,
      [TASK_ENV.approvalsTable]: this.approvals.table.tableName,
      [TASK_ENV.databaseSecrets]: databaseSecretsVariable(stack, props.databaseSecrets),
    };
    if (props.vpc && props.databaseSecurityGroup) {
      this.dataNetwork = new DataNetwork(this, 'DataNetwork', {
        vpc: props.vpc,
        databaseSecurityGroup: props.databaseSecurityGroup,
        databasePort: props.databasePort ?? 5432,
        ...(props.vpcSubnets ? { subnets: props.vpcSubnets } : {}),
      });
    }
    const networkOf = (task: TaskName): { network?: FunctionNetwork } =>
      this.dataNetwork && DATA_TASKS.includes(task) ? { network: this.dataNetwork.network } : {};
    const logRetention = props.logRetention ? { logRetention: props.logRetention } : {};

    const functions = {} as Record<TaskName, TollgateFunction>;
    for (const task of TASKS) {
      functions[task.name] = new TollgateFunction(this, `Task-${task.name}`, {
        entry: handlerEntry(root, task.name),
        projectRoot: root,
        taskName: task.name,
        environment,
        ...TASK_SIZING[task.name],
        ...networkOf(task.name),
        ...logRetention,
      });
    }
    this.functions = functions;
    this.approve = new ApproveEndpoint(this, 'Approve', {
      entry: handlerEntry(root, 'approve'),
      projectRoot: root,
      environment: {
        [TASK_ENV.config]: configJson,
        [TASK_ENV.ledgerBucket]: ledger.bucketName,
        [TASK_ENV.approvalsTable]: this.approvals.table.tableName,
      },
      ...logRetention,
    });

    const bindings = stackBindings({
      functionArnsByPlaceholder: Object.fromEntries(
        TASKS.map((t) => [t.placeholder, functions[t.name].functionArn]),
      ),
      partition: stack.partition,
      buildProjectName: projectName,
      pipelineName: config.name,
    });
    this.stateMachine = new PipelineStateMachine(this, 'Pipeline', {
      definitionPath,
      bindings,
      functionArns: TASKS.map((t) => functions[t.name].functionArn),
      buildProjectArn: this.build.project.projectArn,
      ...logRetention,
    }).stateMachine;

    const ecsEnvironments = config.environments.flatMap((env) =>
      env.deploy.type === 'ecs' ? [env.deploy] : [],
    );
    const secretIds = Object.values(props.databaseSecrets ?? {}).filter((v) => typeof v === 'string');
    const targets: GrantTargets = {
      artifacts,
      ledger,
      locks,
      images,
      ecsServiceArns: ecsEnvironments.map((d) =>
        stack.formatArn({ service: 'ecs', resource: 'service', resourceName: `${d.cluster}/${d.service}` }),
      ),
      ecsPassRoleArns: props.ecsPassRoleArns ?? [
        stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: `${config.name}-*` }),
      ],
      approvals: this.approvals.table,
      approvalsPendingIndex: APPROVALS_TABLE.pendingIndex,
      notifyTopic: this.approvals.topic,
      notifyKey: this.approvals.topicKey,
      stateMachineArn: this.stateMachine.stateMachineArn,
      executionArns: stack.formatArn({
        service: 'states',
        resource: 'execution',
        resourceName: `${this.stateMachine.stateMachineName}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
      databaseSecretArns: [...new Set(secretIds.map((id) => secretResourceArn(stack, id)))],
      provider: providerTargets(stack, config),
    };
    this.runEnd = new RunEndRule(this, 'RunEnd', {
      entry: handlerEntry(root, 'release-ended-run'),
      projectRoot: root,
      stateMachine: this.stateMachine,
      environment: { [TASK_ENV.config]: configJson, [TASK_ENV.lockTable]: locks.tableName },
      ...logRetention,
    });
    const granted: Array<[GrantedFunction, TollgateFunction]> = [
      ...TASKS.map((t): [GrantedFunction, TollgateFunction] => [t.name, functions[t.name]]),
      ['approve', this.approve.handler],
      ['release-ended-run', this.runEnd.handler],
    ];
    for (const [name, fn] of granted) attachGrants(this, name, fn, capabilityGrants(name, targets));

    this.rules = new CommitRules(this, 'Rules', {
      eventBus,
      patterns: commitEventPatterns(config),
      stateMachine: this.stateMachine,
    });

    if (props.githubWebhook ?? true) {
      this.webhook = new WebhookReceiver(this, 'GitHubWebhook', {
        entry: handlerEntry(root, 'webhook'),
        projectRoot: root,
        eventBus,
        ...logRetention,
      });
    }

    for (const env of config.environments.filter((e) => e.deploy.type === 'process')) {
      // A warning, not an error: the example config is local-only and must still synthesize.
      Annotations.of(this).addWarningV2(
        'tollgate:process-deploy',
        `environment "${env.name}" deploys as a local process, which the AWS deployer cannot run; ` +
          'use deploy: { type: "ecs", ... } before deploying this stack',
      );
    }
    this.node.addValidation({
      validate: () => [...databaseSecretProblems(config, props.databaseSecrets), ...providerProblems(config)],
    });
  }
}
