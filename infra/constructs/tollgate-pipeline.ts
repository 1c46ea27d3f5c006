import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Annotations, Duration, Stack } from 'aws-cdk-lib';
import type * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { parseConfig } from '../../functions/shared/config/load-config.js';
import type { TollgateConfigInput } from '../../functions/shared/config/schema.js';
import { TASK_ENV } from '../../functions/shared/wiring/env.js';
import { TASKS, type TaskName } from '../../functions/task-registry.js';
import { stackBindings } from '../asl-substitutions.js';
import { commitEventPatterns } from '../event-patterns.js';
import { grantStatements } from '../function-grants.js';
import { handlerEntry, REPO_ROOT } from '../repo-paths.js';
import { BuildProject } from './build-project.js';
import { CommitRules } from './commit-rules.js';
import { PipelineStateMachine } from './pipeline-state-machine.js';
import { PipelineStorage } from './pipeline-storage.js';
import { TollgateFunction } from './tollgate-function.js';
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
}

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
  readonly functions: Readonly<Record<TaskName, TollgateFunction>>;
  readonly build: BuildProject;
  readonly stateMachine: sfn.StateMachine;
  readonly rules: CommitRules;
  readonly webhook?: WebhookReceiver;

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
    const stack = Stack.of(this);
    const eventBus = props.eventBus ?? events.EventBus.fromEventBusName(this, 'Bus', 'default');

    this.storage = new PipelineStorage(this, 'Storage', {
      ledgerRetentionDays: Math.max(1, Math.ceil(config.ledger.retention / 86_400)),
      ...(config.build.image ? { imageRepositoryName: config.build.image.repository } : {}),
    });
    const { artifacts, ledger, locks, images } = this.storage;

    // The same name plan-run hands to the Build state, so the two cannot drift apart.
    const projectName = config.build.codebuildProject ?? `${config.name}-build`;
    this.build = new BuildProject(this, 'Build', {
      config,
      projectName,
      artifacts,
      images,
      ...(props.buildSource ? { source: props.buildSource } : {}),
    });

    const ecsEnvironments = config.environments.flatMap((env) =>
      env.deploy.type === 'ecs' ? [env.deploy] : [],
    );
    const targets = {
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
    };
    const environment = {
      [TASK_ENV.config]: configJson,
      [TASK_ENV.artifactBucket]: artifacts.bucketName,
      [TASK_ENV.ledgerBucket]: ledger.bucketName,
      [TASK_ENV.lockTable]: locks.tableName,
      [TASK_ENV.imageRepository]: images.repositoryName,
    };

    const functions = {} as Record<TaskName, TollgateFunction>;
    for (const task of TASKS) {
      const fn = new TollgateFunction(this, `Task-${task.name}`, {
        entry: handlerEntry(root, task.name),
        projectRoot: root,
        taskName: task.name,
        environment,
        ...TASK_SIZING[task.name],
        ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      });
      this.attachGrants(fn, task.name, grantStatements(task.name, targets));
      functions[task.name] = fn;
    }
    this.functions = functions;

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
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
    }).stateMachine;

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
        ...(props.logRetention ? { logRetention: props.logRetention } : {}),
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
  }

  /**
   * Statements on a single wildcard resource (ECS task definitions) go into a policy of their own,
   * so their nag suppression cannot hide any other wildcard on the role.
   */
  private attachGrants(fn: TollgateFunction, task: TaskName, statements: iam.PolicyStatement[]): void {
    const wildcard = statements.filter((s) => s.resources.includes('*'));
    for (const statement of statements) if (!wildcard.includes(statement)) fn.addToRolePolicy(statement);
    if (wildcard.length) {
      const policy = new iam.Policy(this, `Task-${task}-TaskDefinitions`, {
        statements: wildcard,
        roles: [fn.role],
      });
      NagSuppressions.addResourceSuppressions(policy, [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'ecs:RegisterTaskDefinition and ecs:DescribeTaskDefinition do not support resource-level permissions',
          appliesTo: ['Resource::*'],
        },
      ]);
    }
    NagSuppressions.addResourceSuppressions(
      fn.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'Artifact and ledger keys are content-addressed or per-run, so object access is granted under the ' +
            'bucket (never on another bucket), and deletes only under .staging/ (multipart staging); ECS ' +
            'task roles are matched by the pipeline name prefix',
          appliesTo: [
            { regex: '/^Resource::<.*(Artifacts|Ledger).*\\.Arn>\\/(\\.staging\\/)?\\*$/g' },
            { regex: '/role\\/.*-\\*$/g' },
          ],
        },
      ],
      true,
    );
  }
}
