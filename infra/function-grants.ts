import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { TaskName } from '../functions/task-registry.js';
import { type ProviderTargets, providerStatements } from './provider-grants.js';

/** What a function may do. Each capability is a small, fixed set of IAM actions. */
export const Capability = {
  ArtifactsRead: 'artifacts:read',
  ArtifactsWrite: 'artifacts:write',
  LedgerRead: 'ledger:read',
  LedgerAppend: 'ledger:append',
  Locks: 'locks:read-write',
  /** Read the pipeline's lock record only: request-approval asks whether its run was superseded. */
  LocksRead: 'locks:read',
  /** Ask the source whether it vouches for a commit (CodeCommit GetCommit, or the push webhook's secret). */
  SourceRead: 'source:read',
  ImagesRead: 'images:read',
  ImagesTag: 'images:tag',
  EcsDeploy: 'ecs:deploy',
  EcsDescribe: 'ecs:describe',
  /** Run the previous release as a one-off task in an environment's cluster, watch it and stop it. */
  EcsTrial: 'ecs:trial',
  /** Read, create and compare-and-swap approval records (`approval#*`) and list the pending index. */
  Approvals: 'approvals:records',
  /** Store a run's task token (`token#*`); request-approval only. */
  ApprovalTokenWrite: 'approvals:token-write',
  /** Read and discard task tokens: the paths that resume or cancel a waiting run. */
  ApprovalTokenRead: 'approvals:token-read',
  /** Discard a task token without reading it: the timeout path. */
  ApprovalTokenDiscard: 'approvals:token-discard',
  /** SendTaskSuccess/SendTaskFailure: resumes the run a task token names. */
  TaskCallback: 'states:task-callback',
  /** DescribeExecution on the pipeline's runs: approve refuses (and closes) an approval whose run ended. */
  RunRead: 'states:run-read',
  Notify: 'notify:publish',
  /** Read the chat webhook URL secret (`aws.notificationWebhookSecret`); no statement without one. */
  NotifyWebhook: 'notify:webhook-secret',
  /** Read the environments' database connection secrets. */
  DatabaseSecrets: 'database:secrets-read',
  /** Everything the configured snapshot provider does to refresh an environment. */
  SnapshotManage: 'snapshots:manage',
  /** What the provider needs to resolve an environment's connection. */
  SnapshotRead: 'snapshots:read',
  /** Weight a canary environment's listener rule and size its canary service (ElbTrafficRouter). */
  TrafficShift: 'traffic:shift',
  /** Read which release serves from which target group (the router's split). */
  TrafficRead: 'traffic:read',
  /** GetMetricData, and DescribeAlarms on the alarms `alarm` checks name. */
  CloudWatchRead: 'cloudwatch:read',
  /** Start and read builds of the test-stage project, and read and write their results under `tests/`. */
  TestsRun: 'tests:run',
} as const;
export type Capability = (typeof Capability)[keyof typeof Capability];

/**
 * Every function that gets a role from this table: the ASL tasks, the approve function and the
 * run-end rule's release-ended-run.
 */
export type GrantedFunction = TaskName | 'approve' | 'release-ended-run';

const C = Capability;

/**
 * The review table: every function and the only capabilities its ports use. A function not listed
 * for a capability gets no statement for it; change access here, nowhere else.
 *
 * Task tokens: only approve and concurrency-guard (which cancels superseded approvals) can read
 * them; request-approval writes the token it was handed but never reads one back; the timeout path
 * only deletes. TaskCallback goes to exactly approve, request-approval (re-delivery of a decision
 * to a re-invoked gate), concurrency-guard and release-ended-run (both wake the run next in line for
 * the lock, through the token it stored in the lock table); a test holds every other role to that.
 */
export const FUNCTION_GRANTS: Readonly<Record<GrantedFunction, readonly Capability[]>> = {
  'plan-run': [C.SourceRead],
  // TaskCallback wakes the next waiting run; RunRead asks whether a holder whose lease lapsed still runs.
  'concurrency-guard': [C.Locks, C.Approvals, C.ApprovalTokenRead, C.TaskCallback, C.RunRead, C.LedgerAppend],
  // SourceRead: the commits between releases (release contents).
  'register-release': [
    C.ArtifactsRead,
    C.ArtifactsWrite,
    C.ImagesRead,
    C.ImagesTag,
    C.LedgerAppend,
    C.LedgerRead,
    C.SourceRead,
  ],
  'request-approval': [
    C.ArtifactsRead,
    C.LedgerAppend,
    C.Approvals,
    C.ApprovalTokenWrite,
    C.Notify,
    C.NotifyWebhook,
    C.TaskCallback,
    C.LocksRead,
  ],
  'record-approval-timeout': [C.Approvals, C.ApprovalTokenDiscard, C.LedgerAppend],
  'refresh-data': [C.LedgerAppend, C.DatabaseSecrets, C.SnapshotManage],
  'mask-data': [C.DatabaseSecrets, C.SnapshotRead],
  'verify-masking': [C.DatabaseSecrets, C.SnapshotRead],
  'migrate-database': [C.ArtifactsRead, C.DatabaseSecrets, C.LedgerAppend],
  // Reads the release's migrations, the database's applied ones, snapshots prod before migrating.
  // and runs the previous release as a one-off ECS task for the backward-compatibility check.
  'migration-safety': [C.ArtifactsRead, C.DatabaseSecrets, C.SnapshotManage, C.LedgerAppend, C.EcsTrial],
  'check-data': [C.DatabaseSecrets, C.SnapshotRead],
  deploy: [C.ArtifactsRead, C.ImagesRead, C.EcsDeploy],
  'poll-deployment': [C.EcsDescribe],
  // The canary loop records each traffic move and step analysis; the traffic router's and the
  // metric sources' AWS capabilities come with their adapters (ElbTrafficRouter, CloudWatch).
  'shift-traffic': [C.LedgerAppend, C.TrafficShift],
  // TrafficRead: per-release CloudWatch reads ask the router which target group serves which release.
  'analyze-canary': [C.LedgerAppend, C.TrafficRead, C.CloudWatchRead],
  'smoke-test': [], // plain HTTP against the environment URL
  // Each phase's tests run as a build of the test-stage project (CodeBuildTestRunner).
  'run-tests': [C.TestsRun],
  // EcsDescribe: promote asks the deployer which release the environment serves (deployer.current).
  promote: [C.ArtifactsRead, C.ArtifactsWrite, C.ImagesRead, C.ImagesTag, C.LedgerAppend, C.EcsDescribe],
  rollback: [C.ArtifactsRead, C.LedgerAppend, C.ImagesRead, C.EcsDeploy], // append includes read
  'record-run': [C.LedgerAppend],
  approve: [C.Approvals, C.ApprovalTokenRead, C.LedgerAppend, C.TaskCallback, C.RunRead],
  // Releases the lock of a run that was stopped, timed out or failed, and wakes the next waiting run.
  'release-ended-run': [C.Locks, C.TaskCallback, C.RunRead],
};

export interface GrantTargets {
  readonly artifacts: s3.IBucket;
  readonly ledger: s3.IBucket;
  readonly locks: dynamodb.ITable;
  readonly images: ecr.IRepository;
  /** ECS services of `ecs` environments; empty means no ECS statements at all. */
  readonly ecsServiceArns: readonly string[];
  /** Roles the deploy may hand to ECS tasks (task role and execution role). */
  readonly ecsPassRoleArns: readonly string[];
  /** Task definitions of this account and region, `arn:…:task-definition/*` (tag-on-create's resource). */
  readonly ecsTaskDefinitionArns: string;
  /** Clusters of the `ecs` environments, and their tasks (`arn:…:task/<cluster>/*`): where trials run. */
  readonly ecsClusterArns: readonly string[];
  readonly ecsTaskArns: readonly string[];
  readonly approvals: dynamodb.ITable;
  /** Name of the sparse GSI of pending approvals. */
  readonly approvalsPendingIndex: string;
  readonly notifyTopic: sns.ITopic;
  /** The topic's encryption key: SNS encrypts each message with a data key made under the publisher's rights. */
  readonly notifyKey: kms.IKey;
  /** IAM resource ARN of the chat webhook URL secret, when the config names one. */
  readonly notifyWebhookSecretArn?: string;
  readonly stateMachineArn: string;
  /** The state machine's executions, `arn:…:execution:<name>:*` (DescribeExecution's resource). */
  readonly executionArns: string;
  /** IAM resource ARNs of the environments' connection secrets; empty means no statement. */
  readonly databaseSecretArns: readonly string[];
  readonly provider: ProviderTargets;
  /** What canary environments (deploy.canary) route through; empty lists mean no canary statements at all. */
  readonly canary: CanaryTargets;
  /** The test-stage project, when the config has test stages; none means no statement. */
  readonly testProjectArn?: string;
  /** What plan-run asks whether a commit is real: the CodeCommit repository, or the push webhook's secret. */
  readonly source:
    | { readonly kind: 'codecommit'; readonly repositoryArn: string }
    | { readonly kind: 'github'; readonly webhookSecretArn: string };
}

export interface CanaryTargets {
  /** The listener rules whose forward weights the router sets. */
  readonly listenerRuleArns: readonly string[];
  /** The environment and canary services of canary environments. */
  readonly serviceArns: readonly string[];
  /** The alarms that `alarm` checks name; empty means no DescribeAlarms. */
  readonly alarmArns: readonly string[];
  /** Whether any canary environment has an analysis check that reads CloudWatch. */
  readonly readsMetrics: boolean;
}

const objects = (bucket: s3.IBucket) => bucket.arnForObjects('*');
const statement = (actions: string[], resources: string[], conditions?: Record<string, unknown>) =>
  new iam.PolicyStatement({ actions, resources, ...(conditions ? { conditions } : {}) });

/**
 * `dynamodb:LeadingKeys` is the partition key of the item a GetItem/PutItem/DeleteItem touches (and,
 * inside TransactWriteItems, of each Put). ForAllValues is safe here because every action granted on
 * the table names a key; no Scan or table Query is granted, so the condition is never vacuous.
 */
const leadingKeys = (pattern: string) => ({
  'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [pattern] },
});

function statementsFor(capability: Capability, t: GrantTargets): iam.PolicyStatement[] {
  const s = statement;
  switch (capability) {
    case C.ArtifactsRead:
      return [s(['s3:GetObject'], [objects(t.artifacts)]), s(['s3:ListBucket'], [t.artifacts.bucketArn])];
    case C.ArtifactsWrite:
      return [
        // PutObject also covers the multipart calls and UploadPartCopy's destination.
        s(['s3:PutObject', 's3:AbortMultipartUpload'], [objects(t.artifacts)]),
        // Only multipart staging is ever deleted; releases and pointers never are.
        s(['s3:DeleteObject'], [t.artifacts.arnForObjects('.staging/*')]),
      ];
    case C.LedgerRead:
      return [s(['s3:GetObject'], [objects(t.ledger)]), s(['s3:ListBucket'], [t.ledger.bucketArn])];
    case C.LedgerAppend:
      // Appends read and list to find the next position; each entry is written with its own
      // Object Lock retain-until date, which S3 authorizes as PutObjectRetention.
      return [
        s(['s3:GetObject', 's3:PutObject', 's3:PutObjectRetention'], [objects(t.ledger)]),
        s(['s3:ListBucket'], [t.ledger.bucketArn]),
      ];
    case C.Locks:
      // TransactWriteItems (a waiter registers only while the lock record is unchanged) is
      // authorized as the PutItem and ConditionCheckItem of its items; the waiters are listed with a
      // consistent Scan (a GSI cannot be read consistently).
      return [
        s(
          [
            'dynamodb:GetItem',
            'dynamodb:PutItem',
            'dynamodb:DeleteItem',
            'dynamodb:ConditionCheckItem',
            'dynamodb:Scan',
          ],
          [t.locks.tableArn],
        ),
      ];
    case C.LocksRead:
      return [s(['dynamodb:GetItem'], [t.locks.tableArn], leadingKeys('guard-*'))];
    case C.SourceRead:
      return t.source.kind === 'codecommit'
        ? [s(['codecommit:GetCommit'], [t.source.repositoryArn])]
        : [s(['secretsmanager:GetSecretValue'], [t.source.webhookSecretArn])];
    case C.ImagesRead:
      return [s(['ecr:BatchGetImage', 'ecr:DescribeImages'], [t.images.repositoryArn])];
    case C.ImagesTag:
      return [s(['ecr:PutImage'], [t.images.repositoryArn])];
    case C.EcsDescribe:
      // The serving release is a tag on the service's task definition, so every read of the
      // service is followed by DescribeTaskDefinition (which has no resource-level permissions).
      return t.ecsServiceArns.length
        ? [s(['ecs:DescribeServices'], [...t.ecsServiceArns]), s(['ecs:DescribeTaskDefinition'], ['*'])]
        : [];
    case C.EcsDeploy:
      if (!t.ecsServiceArns.length) return [];
      return [
        s(['ecs:UpdateService', 'ecs:DescribeServices'], [...t.ecsServiceArns]),
        // Task definition actions do not support resource-level permissions.
        s(['ecs:RegisterTaskDefinition', 'ecs:DescribeTaskDefinition'], ['*']),
        // RegisterTaskDefinition with `tags` is also authorized as TagResource on the new revision
        // (tag-on-create); the condition limits it to that, so no existing resource can be re-tagged.
        s(['ecs:TagResource'], [t.ecsTaskDefinitionArns], {
          StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' },
        }),
        s(['iam:PassRole'], [...t.ecsPassRoleArns], {
          StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
        }),
      ];
    case C.EcsTrial:
      if (!t.ecsServiceArns.length) return [];
      return [
        // The trial runs the task definition the environment's service runs now.
        s(['ecs:DescribeServices'], [...t.ecsServiceArns]),
        s(['ecs:DescribeTaskDefinition'], ['*']),
        // RunTask's resource is the task definition; the condition keeps it to the environments' clusters.
        s(['ecs:RunTask'], [t.ecsTaskDefinitionArns], {
          ArnEquals: { 'ecs:cluster': [...t.ecsClusterArns] },
        }),
        s(['ecs:DescribeTasks', 'ecs:StopTask'], [...t.ecsTaskArns]),
        // RunTask hands the task definition's task and execution roles to ECS.
        s(['iam:PassRole'], [...t.ecsPassRoleArns], {
          StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
        }),
      ];
    case C.Approvals:
      return [
        // TransactWriteItems is authorized as the PutItem of each item it writes.
        s(['dynamodb:GetItem', 'dynamodb:PutItem'], [t.approvals.tableArn], leadingKeys('approval#*')),
        // The index is sparse (only pending records carry `pending`) and projects no token attribute.
        s(['dynamodb:Query'], [`${t.approvals.tableArn}/index/${t.approvalsPendingIndex}`]),
      ];
    case C.ApprovalTokenWrite:
      return [s(['dynamodb:PutItem'], [t.approvals.tableArn], leadingKeys('token#*'))];
    case C.ApprovalTokenRead:
      return [s(['dynamodb:GetItem', 'dynamodb:DeleteItem'], [t.approvals.tableArn], leadingKeys('token#*'))];
    case C.ApprovalTokenDiscard:
      return [s(['dynamodb:DeleteItem'], [t.approvals.tableArn], leadingKeys('token#*'))];
    case C.TaskCallback:
      // SendTaskHeartbeat is left out on purpose: nothing keeps an approval alive past its timeout.
      // The Service Authorization Reference lists no resource type for SendTaskSuccess/Failure (the
      // request names only a task token), so IAM authorizes them on `*` alone: a statement naming the
      // state machine never matches and every callback is denied. The token itself is the scope.
      return [s(['states:SendTaskSuccess', 'states:SendTaskFailure'], ['*'])];
    case C.RunRead:
      return [s(['states:DescribeExecution'], [t.executionArns])];
    case C.Notify:
      return [
        s(['sns:Publish'], [t.notifyTopic.topicArn]),
        s(['kms:GenerateDataKey', 'kms:Decrypt'], [t.notifyKey.keyArn]),
      ];
    case C.NotifyWebhook:
      return t.notifyWebhookSecretArn
        ? [s(['secretsmanager:GetSecretValue'], [t.notifyWebhookSecretArn])]
        : [];
    case C.DatabaseSecrets:
      return t.databaseSecretArns.length
        ? [s(['secretsmanager:GetSecretValue'], [...t.databaseSecretArns])]
        : [];
    case C.SnapshotManage:
      return providerStatements('manage', t.provider, t.databaseSecretArns);
    case C.SnapshotRead:
      return providerStatements('read', t.provider, t.databaseSecretArns);
    case C.TrafficShift:
    case C.TrafficRead: {
      if (!t.canary.listenerRuleArns.length) return [];
      const shift = capability === C.TrafficShift;
      return [
        ...(shift ? [s(['elasticloadbalancing:ModifyRule'], [...t.canary.listenerRuleArns])] : []),
        s(shift ? ['ecs:UpdateService', 'ecs:DescribeServices'] : ['ecs:DescribeServices'], [
          ...t.canary.serviceArns,
        ]),
        // ELBv2 Describe* and DescribeTaskDefinition have no resource-level permissions.
        s(['elasticloadbalancing:DescribeRules', 'ecs:DescribeTaskDefinition'], ['*']),
      ];
    }
    case C.TestsRun:
      if (!t.testProjectArn) return [];
      return [
        s(['codebuild:StartBuild', 'codebuild:BatchGetBuilds'], [t.testProjectArn]),
        // start records the phase's tests beside the build's results; poll reads them back.
        s(['s3:GetObject', 's3:PutObject'], [t.artifacts.arnForObjects('tests/*')]),
        // poll lists a build's prefix and reads only what is there; listing is kept to tests/.
        s(['s3:ListBucket'], [t.artifacts.bucketArn], { StringLike: { 's3:prefix': ['tests/*'] } }),
      ];
    case C.CloudWatchRead:
      if (!t.canary.listenerRuleArns.length) return [];
      return [
        // GetMetricData has no resource-level permissions.
        ...(t.canary.readsMetrics ? [s(['cloudwatch:GetMetricData'], ['*'])] : []),
        ...(t.canary.alarmArns.length ? [s(['cloudwatch:DescribeAlarms'], [...t.canary.alarmArns])] : []),
      ];
  }
}

export interface CapabilityGrant {
  readonly capability: Capability;
  readonly statements: iam.PolicyStatement[];
}

/** The statements for one function, grouped by capability, in table order. */
export function capabilityGrants(fn: GrantedFunction, targets: GrantTargets): CapabilityGrant[] {
  const capabilities = FUNCTION_GRANTS[fn];
  if (!capabilities) throw new Error(`no grants row for function "${fn}"; add it to FUNCTION_GRANTS`);
  return capabilities.map((capability) => ({ capability, statements: statementsFor(capability, targets) }));
}

/** The policy statements for one function, in table order. */
export function grantStatements(fn: GrantedFunction, targets: GrantTargets): iam.PolicyStatement[] {
  return capabilityGrants(fn, targets).flatMap((g) => g.statements);
}
