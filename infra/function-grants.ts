import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { TaskName } from '../functions/task-registry.js';

/** What a task function may do. Each capability is a small, fixed set of IAM actions. */
export const Capability = {
  ArtifactsRead: 'artifacts:read',
  ArtifactsWrite: 'artifacts:write',
  LedgerRead: 'ledger:read',
  LedgerAppend: 'ledger:append',
  Locks: 'locks:read-write',
  ImagesRead: 'images:read',
  ImagesTag: 'images:tag',
  EcsDeploy: 'ecs:deploy',
  EcsDescribe: 'ecs:describe',
} as const;
export type Capability = (typeof Capability)[keyof typeof Capability];

const C = Capability;

/**
 * The review table: every task function and the only capabilities its ports use. A function not
 * listed for a capability gets no statement for it; change access here, nowhere else.
 */
export const FUNCTION_GRANTS: Readonly<Record<TaskName, readonly Capability[]>> = {
  'plan-run': [], // reads only the config from its environment
  'concurrency-guard': [C.Locks],
  'register-release': [C.ArtifactsRead, C.ArtifactsWrite, C.ImagesRead, C.ImagesTag, C.LedgerAppend],
  deploy: [C.ArtifactsRead, C.ImagesRead, C.EcsDeploy],
  'poll-deployment': [C.EcsDescribe],
  'smoke-test': [], // plain HTTP against the environment URL
  promote: [C.ArtifactsRead, C.ArtifactsWrite, C.ImagesRead, C.ImagesTag, C.LedgerAppend],
  rollback: [C.ArtifactsRead, C.LedgerAppend, C.ImagesRead, C.EcsDeploy], // append includes read
  'record-run': [C.LedgerAppend],
  // Approval store, task callback, SNS and database-secret capabilities are added with the
  // approvals/data resources of the stack; until then these rows list only what exists.
  'request-approval': [C.ArtifactsRead, C.LedgerAppend],
  'record-approval-timeout': [C.LedgerAppend],
  'refresh-data': [C.LedgerAppend],
  'mask-data': [],
  'verify-masking': [],
  'migrate-database': [C.ArtifactsRead],
  'check-data': [],
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
}

const objects = (bucket: s3.IBucket) => bucket.arnForObjects('*');

function statementsFor(capability: Capability, t: GrantTargets): iam.PolicyStatement[] {
  const s = (actions: string[], resources: string[], conditions?: Record<string, unknown>) =>
    new iam.PolicyStatement({ actions, resources, ...(conditions ? { conditions } : {}) });
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
      return [s(['dynamodb:GetItem', 'dynamodb:PutItem'], [t.locks.tableArn])];
    case C.ImagesRead:
      return [s(['ecr:BatchGetImage', 'ecr:DescribeImages'], [t.images.repositoryArn])];
    case C.ImagesTag:
      return [s(['ecr:PutImage'], [t.images.repositoryArn])];
    case C.EcsDescribe:
      return t.ecsServiceArns.length ? [s(['ecs:DescribeServices'], [...t.ecsServiceArns])] : [];
    case C.EcsDeploy:
      if (!t.ecsServiceArns.length) return [];
      return [
        s(['ecs:UpdateService', 'ecs:DescribeServices'], [...t.ecsServiceArns]),
        // Task definition actions do not support resource-level permissions.
        s(['ecs:RegisterTaskDefinition', 'ecs:DescribeTaskDefinition'], ['*']),
        s(['iam:PassRole'], [...t.ecsPassRoleArns], {
          StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
        }),
      ];
  }
}

/** The policy statements for one task function, in table order. */
export function grantStatements(task: TaskName, targets: GrantTargets): iam.PolicyStatement[] {
  const capabilities = FUNCTION_GRANTS[task];
  if (!capabilities) throw new Error(`no grants row for task "${task}"; add it to FUNCTION_GRANTS`);
  return capabilities.flatMap((c) => statementsFor(c, targets));
}
