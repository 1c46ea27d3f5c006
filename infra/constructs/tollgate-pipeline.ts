import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Annotations, ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { parseConfig } from '../../functions/shared/config/load-config.js';
import type { TollgateConfig } from '../../functions/shared/config/schema.js';
import { environmentVolume } from '../../functions/shared/database/environment-connection.js';
import { testStageProjectName } from '../../functions/shared/test-stage-project.js';
import { TASK_ENV } from '../../functions/shared/wiring/env.js';
import { localOnlyCommandsRefusal } from '../../functions/shared/wiring/local-only-commands.js';
import { TASKS, type TaskName } from '../../functions/task-registry.js';
import { stackBindings } from '../asl-substitutions.js';
import { accountInputs } from '../aws-settings.js';
import { canaryServiceArns, canaryTargets } from '../canary-targets.js';
import {
  databaseSecretProblems,
  databaseSecretsVariable,
  secretIdProblems,
  secretResourceArn,
} from '../database-secrets.js';
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
import { SmokeNetwork } from './smoke-network.js';
import { TestStageProject } from './test-stage-project.js';
import { type FunctionNetwork, TollgateFunction } from './tollgate-function.js';
import type { TollgatePipelineProps } from './tollgate-pipeline-props.js';
import { WebhookReceiver } from './webhook-receiver.js';

export type { TollgatePipelineProps };

/** The tasks that open database connections; with `vpc` they run inside it. */
export const DATA_TASKS: readonly TaskName[] = [
  'refresh-data',
  'mask-data',
  'verify-masking',
  'migrate-database',
  'migration-safety',
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
  /** Where the smoke tests run when the stack has a network (internal environment URLs). */
  readonly smokeNetwork?: SmokeNetwork;
  /** Runs the environments' test stages; only when the config has any. */
  readonly testStages?: TestStageProject;

  constructor(scope: Construct, id: string, props: TollgatePipelineProps) {
    super(scope, id);
    // Validate the JSON round trip, not the object: the JSON text is what the functions will read.
    const config = parseConfig(
      JSON.parse(JSON.stringify(props.config) ?? 'null'),
      'TollgatePipeline props.config',
    );
    const localOnly = localOnlyCommandsRefusal(config);
    if (localOnly)
      throw new Error(`invalid config for the AWS stack in TollgatePipeline props.config: ${localOnly}`);
    // The functions get `aws` as variables of their own (secrets, repository URI), never read it
    // from the config: the block stays out of the config their bundles carry.
    const { aws: _forTheStackOnly, ...functionConfig } = props.config;
    const configJson = JSON.stringify(functionConfig);
    const account = accountInputs(this, props.config, config, props);
    if (props.buildSource && props.config.aws?.buildSource !== undefined) {
      throw new Error(
        'buildSource is given both as a TollgatePipeline prop and as aws.buildSource in the config; keep one',
      );
    }
    const root = props.projectRoot ?? REPO_ROOT;
    const definitionPath = props.definitionPath ?? resolve(root, 'statemachines/pipeline.asl.json');
    if (!existsSync(definitionPath))
      throw new Error(`state machine definition not found at ${definitionPath}`);
    if (props.ecsPassRoleArns?.length === 0) {
      throw new Error(
        'ecsPassRoleArns is empty; leave it undefined for the default or list the ECS task roles',
      );
    }
    if ((account.vpc === undefined) !== (account.databaseSecurityGroup === undefined)) {
      throw new Error(
        'vpc and databaseSecurityGroup go together: give both to run the data functions next to the databases, or neither',
      );
    }
    if (account.vpcSubnets && !account.vpc) throw new Error('vpcSubnets needs vpc');
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
      [TASK_ENV.artifactBucket]: artifacts.bucketName,
      [TASK_ENV.ledgerBucket]: ledger.bucketName,
      [TASK_ENV.lockTable]: locks.tableName,
      [TASK_ENV.imageRepository]: images.repositoryName,
      // Every task with the deployer port has it; only a rollout uses it (the image it pins).
      [TASK_ENV.imageRepositoryUri]: images.repositoryUri,
      [TASK_ENV.notifyTopicArn]: this.approvals.topic.topicArn,
      [TASK_ENV.approvalsTable]: this.approvals.table.tableName,
      [TASK_ENV.databaseSecrets]: databaseSecretsVariable(stack, account.databaseSecrets),
    };
    const webhookSecret = config.aws?.notificationWebhookSecret;
    if (account.vpc && account.databaseSecurityGroup) {
      this.dataNetwork = new DataNetwork(this, 'DataNetwork', {
        vpc: account.vpc,
        databaseSecurityGroup: account.databaseSecurityGroup,
        databasePort: account.databasePort ?? 5432,
        ...(account.vpcSubnets ? { subnets: account.vpcSubnets } : {}),
      });
    }
    if (account.vpc) {
      this.smokeNetwork = new SmokeNetwork(this, 'SmokeNetwork', {
        vpc: account.vpc,
        urls: smokeTestUrls(config),
        ...(account.vpcSubnets ? { subnets: account.vpcSubnets } : {}),
      });
    }
    if (config.environments.some((e) => e.tests.length)) {
      this.testStages = new TestStageProject(this, 'TestStages', {
        projectName: testStageProjectName(config),
        artifacts,
        databaseSecretArns: testSecretArns(stack, config, account.databaseSecrets),
        ...(account.vpc
          ? {
              network: {
                vpc: account.vpc,
                ...(account.vpcSubnets ? { subnets: account.vpcSubnets } : {}),
                ...(account.databaseSecurityGroup
                  ? {
                      databaseSecurityGroup: account.databaseSecurityGroup,
                      databasePort: account.databasePort ?? 5432,
                    }
                  : {}),
              },
            }
          : {}),
      });
    }
    const networkOf = (task: TaskName): { network?: FunctionNetwork } =>
      this.dataNetwork && DATA_TASKS.includes(task)
        ? { network: this.dataNetwork.network }
        : this.smokeNetwork && task === 'smoke-test'
          ? { network: this.smokeNetwork.network }
          : {};
    const logRetention = props.logRetention ? { logRetention: props.logRetention } : {};

    if (props.githubWebhook ?? true) {
      this.webhook = new WebhookReceiver(this, 'GitHubWebhook', {
        entry: handlerEntry(root, 'webhook'),
        projectRoot: root,
        eventBus,
        ...logRetention,
      });
    }
    // plan-run asks the source whether a commit is real: CodeCommit, or for GitHub the webhook's
    // attestation, checked with the webhook's secret (so a GitHub source needs the webhook).
    // register-release asks it for the commits between releases (CodeCommit GetCommit).
    const github = config.aws?.buildSource?.type === 'github';
    if (github && !this.webhook) {
      throw new Error(
        'aws.buildSource is github but githubWebhook is false: plan-run believes a GitHub commit only when the webhook attested it; keep the webhook',
      );
    }
    const sourceEnvironment = {
      [TASK_ENV.sourceKind]: github ? 'github' : 'codecommit',
      ...(github && this.webhook ? { [TASK_ENV.pushWebhookSecret]: this.webhook.secret.secretArn } : {}),
    };
    const environmentOf = (task: TaskName) =>
      task === 'plan-run' || task === 'register-release'
        ? { ...environment, ...sourceEnvironment }
        : // Only request-approval notifies, so only it learns (and may read) the chat webhook secret.
          task === 'request-approval' && webhookSecret
          ? { ...environment, [TASK_ENV.webhookSecret]: webhookSecret }
          : environment;
    const functions = {} as Record<TaskName, TollgateFunction>;
    for (const task of TASKS) {
      functions[task.name] = new TollgateFunction(this, `Task-${task.name}`, {
        entry: handlerEntry(root, task.name),
        projectRoot: root,
        taskName: task.name,
        config: configJson,
        environment: environmentOf(task.name),
        ...TASK_SIZING[task.name],
        ...networkOf(task.name),
        ...logRetention,
      });
    }
    this.functions = functions;
    this.approve = new ApproveEndpoint(this, 'Approve', {
      entry: handlerEntry(root, 'approve'),
      projectRoot: root,
      config: configJson,
      environment: {
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
      buildProjectName: projectName,
      ...logRetention,
    }).stateMachine;

    const ecsEnvironments = config.environments.flatMap((env) =>
      env.deploy.type === 'ecs' ? [env.deploy] : [],
    );
    const secretIds = Object.values(account.databaseSecrets ?? {}).filter((v) => typeof v === 'string');
    const targets: GrantTargets = {
      artifacts,
      ledger,
      locks,
      images,
      ecsServiceArns: [
        ...ecsEnvironments.map((d) =>
          stack.formatArn({ service: 'ecs', resource: 'service', resourceName: `${d.cluster}/${d.service}` }),
        ),
        ...canaryServiceArns(stack, config),
      ],
      ecsPassRoleArns: props.ecsPassRoleArns ?? [
        stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: `${config.name}-*` }),
      ],
      ecsTaskDefinitionArns: stack.formatArn({
        service: 'ecs',
        resource: 'task-definition',
        resourceName: '*',
      }),
      ecsClusterArns: [...new Set(ecsEnvironments.map((d) => d.cluster))].map((cluster) =>
        stack.formatArn({ service: 'ecs', resource: 'cluster', resourceName: cluster }),
      ),
      ecsTaskArns: [...new Set(ecsEnvironments.map((d) => d.cluster))].map((cluster) =>
        stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${cluster}/*` }),
      ),
      approvals: this.approvals.table,
      approvalsPendingIndex: APPROVALS_TABLE.pendingIndex,
      notifyTopic: this.approvals.topic,
      notifyKey: this.approvals.topicKey,
      ...(webhookSecret ? { notifyWebhookSecretArn: secretResourceArn(stack, webhookSecret) } : {}),
      stateMachineArn: this.stateMachine.stateMachineArn,
      executionArns: stack.formatArn({
        service: 'states',
        resource: 'execution',
        resourceName: `${this.stateMachine.stateMachineName}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
      databaseSecretArns: [...new Set(secretIds.map((id) => secretResourceArn(stack, id)))],
      provider: providerTargets(stack, config),
      canary: canaryTargets(stack, config),
      ...(this.testStages ? { testProjectArn: this.testStages.project.projectArn } : {}),
      source:
        github && this.webhook
          ? { kind: 'github', webhookSecretArn: this.webhook.secret.secretArn }
          : {
              kind: 'codecommit',
              repositoryArn: stack.formatArn({ service: 'codecommit', resource: config.source.repository }),
            },
    };
    this.runEnd = new RunEndRule(this, 'RunEnd', {
      entry: handlerEntry(root, 'release-ended-run'),
      projectRoot: root,
      stateMachine: this.stateMachine,
      config: configJson,
      environment: { [TASK_ENV.lockTable]: locks.tableName },
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

    for (const env of config.environments.filter((e) => e.deploy.type === 'process')) {
      // A warning, not an error: the example config is local-only and must still synthesize.
      Annotations.of(this).addWarningV2(
        'tollgate:process-deploy',
        `environment "${env.name}" deploys as a local process, which the AWS deployer cannot run; ` +
          'use deploy: { type: "ecs", ... } before deploying this stack',
      );
    }
    this.node.addValidation({
      validate: () => [
        ...databaseSecretProblems(config, account.databaseSecrets, account.databaseSecretsPath),
        ...providerProblems(config),
        ...(webhookSecret ? secretIdProblems('aws.notificationWebhookSecret', webhookSecret) : []),
      ],
    });
  }
}

/** The connection secrets of environments whose test stages get a DATABASE_URL (those with a database). */
function testSecretArns(
  stack: Stack,
  config: TollgateConfig,
  secrets: Readonly<Record<string, string>> | undefined,
): string[] {
  const ids = config.environments
    .filter((e) => e.tests.length && e.database)
    .flatMap((e) => {
      const id = secrets?.[environmentVolume(config, e.name)];
      return typeof id === 'string' ? [secretResourceArn(stack, id)] : [];
    });
  return [...new Set(ids)];
}

/** Every URL a smoke test requests: each environment's base URL and the checks' absolute URLs. */
function smokeTestUrls(config: TollgateConfig): string[] {
  const bases = config.environments.flatMap((e) => (e.url ? [e.url] : []));
  const absolute = config.smokeTests.flatMap((t) => (t.url ? [t.url] : []));
  return [...bases, ...absolute];
}
