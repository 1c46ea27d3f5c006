// biome-ignore-all lint/suspicious/noExplicitAny: AWS request JSON is untyped
import type { IamRequest } from './iam-check.js';
import { ACCOUNT, PARTITION, REGION } from './template-model.js';

/** An AWS API request as the recording proxy sees it. */
export interface WireRequest {
  /** The SigV4 credential scope's service (`s3`, `dynamodb`, `ecs`, ...). */
  readonly service: string;
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/** Names that need an emulator's answer to become ARNs (a secret's ARN has a random suffix). */
export interface ArnLookups {
  secretArn(idOrArn: string): Promise<string>;
}

/** The API operation: X-Amz-Target's part after the dot, a query-protocol Action, or S3's REST shape. */
export function operationOf(req: WireRequest): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop()!;
  const form = formBody(req);
  const action = form?.get('Action') ?? req.query.get('Action');
  if (action) return action;
  if (req.service === 's3') return s3Operation(req).op;
  return `${req.method} ${req.path}`;
}

const arn = (service: string, resource: string, region = REGION) =>
  `arn:${PARTITION}:${service}:${region}:${ACCOUNT}:${resource}`;

/**
 * The authorizations AWS makes for the request, per the Service Authorization Reference: the
 * action's own resource, plus the implied ones (tag-on-create needs `TagResource`/`AddTagsToResource`
 * with the create action as condition; a task definition naming roles needs `iam:PassRole`).
 */
export async function iamRequestsOf(req: WireRequest, lookups: ArnLookups): Promise<IamRequest[]> {
  const op = operationOf(req);
  const json = () => (req.body.length ? JSON.parse(req.body.toString('utf8')) : {});
  switch (req.service) {
    case 's3':
      return s3Requests(req);
    case 'dynamodb':
      return dynamoRequests(op, json());
    case 'ecr': {
      const body = json();
      if (op === 'GetAuthorizationToken') return [{ action: 'ecr:GetAuthorizationToken', resource: '*' }];
      return [{ action: `ecr:${op}`, resource: arn('ecr', `repository/${body.repositoryName}`) }];
    }
    case 'ecs':
      return ecsRequests(op, json());
    case 'secretsmanager': {
      const body = json();
      return [{ action: `secretsmanager:${op}`, resource: await lookups.secretArn(body.SecretId) }];
    }
    case 'states': {
      const body = json();
      const resource = body.executionArn ?? body.stateMachineArn ?? '*';
      return [{ action: `states:${op}`, resource }];
    }
    case 'sns': {
      const form = formBody(req)!;
      return [{ action: `sns:${op}`, resource: form.get('TopicArn') ?? '*' }];
    }
    case 'rds':
      return rdsRequests(op, formBody(req)!);
    case 'codecommit': {
      const body = json();
      return [{ action: `codecommit:${op}`, resource: arn('codecommit', body.repositoryName) }];
    }
    case 'monitoring':
      return [{ action: `cloudwatch:${op}`, resource: '*' }];
    case 'elasticloadbalancing': {
      // ModifyRule is authorized on the rule; the Describe* actions take no resource-level permission.
      const rule = formBody(req)?.get('RuleArn');
      return [{ action: `elasticloadbalancing:${op}`, resource: op === 'ModifyRule' && rule ? rule : '*' }];
    }
    case 'codebuild': {
      // Both are authorized on the project: StartBuild names it, a build id is `<project>:<uuid>`.
      const body = json();
      const projects: string[] =
        op === 'BatchGetBuilds'
          ? [...new Set<string>((body.ids ?? []).map((id: string) => id.split(':')[0]))]
          : [body.projectName];
      return projects.map((p) => ({ action: `codebuild:${op}`, resource: arn('codebuild', `project/${p}`) }));
    }
    default:
      return [{ action: `${req.service}:${op}`, resource: '*' }];
  }
}

function formBody(req: WireRequest): URLSearchParams | undefined {
  const type = String(req.headers['content-type'] ?? '');
  return type.startsWith('application/x-www-form-urlencoded')
    ? new URLSearchParams(req.body.toString('utf8'))
    : undefined;
}

function dynamoRequests(op: string, body: Record<string, any>): IamRequest[] {
  const table = (name: string) => arn('dynamodb', `table/${name}`);
  if (op === 'TransactWriteItems') {
    const kinds: Record<string, string> = {
      Put: 'PutItem',
      Update: 'UpdateItem',
      Delete: 'DeleteItem',
      ConditionCheck: 'ConditionCheckItem',
    };
    return (body.TransactItems ?? []).flatMap((item: Record<string, any>) =>
      Object.entries(kinds)
        .filter(([k]) => item[k])
        .map(([k, action]) => ({ action: `dynamodb:${action}`, resource: table(item[k].TableName) })),
    );
  }
  if (op === 'TransactGetItems')
    return (body.TransactItems ?? []).map((i: any) => ({
      action: 'dynamodb:GetItem',
      resource: table(i.Get.TableName),
    }));
  if (op === 'BatchGetItem' || op === 'BatchWriteItem')
    return Object.keys(body.RequestItems ?? {}).map((t) => ({
      action: `dynamodb:${op}`,
      resource: table(t),
    }));
  const resource = body.IndexName
    ? `${table(body.TableName)}/index/${body.IndexName}`
    : table(body.TableName);
  return [{ action: `dynamodb:${op}`, resource }];
}

function ecsRequests(op: string, body: Record<string, any>): IamRequest[] {
  const cluster = String(body.cluster ?? 'default')
    .split('/')
    .pop();
  const service = (s: string) => (s.startsWith('arn:') ? s : arn('ecs', `service/${cluster}/${s}`));
  switch (op) {
    case 'UpdateService':
      return [{ action: 'ecs:UpdateService', resource: service(body.service) }];
    case 'DescribeServices':
      return (body.services ?? []).map((s: string) => ({
        action: 'ecs:DescribeServices',
        resource: service(s),
      }));
    case 'RegisterTaskDefinition': {
      const out: IamRequest[] = [{ action: 'ecs:RegisterTaskDefinition', resource: '*' }];
      const tags: Array<{ key: string; value: string }> = body.tags ?? [];
      if (tags.length) {
        out.push({
          action: 'ecs:TagResource',
          resource: arn('ecs', `task-definition/${body.family}:*`),
          context: {
            'ecs:CreateAction': 'RegisterTaskDefinition',
            'aws:TagKeys': tags.map((t) => t.key),
            ...Object.fromEntries(tags.map((t) => [`aws:RequestTag/${t.key}`, t.value])),
          },
        });
      }
      for (const role of [body.taskRoleArn, body.executionRoleArn].filter(Boolean)) {
        out.push({
          action: 'iam:PassRole',
          resource: role,
          context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
        });
      }
      return out;
    }
    case 'DescribeTaskDefinition':
      return [{ action: 'ecs:DescribeTaskDefinition', resource: '*' }];
    default:
      return [{ action: `ecs:${op}`, resource: '*' }];
  }
}

function rdsRequests(op: string, form: URLSearchParams): IamRequest[] {
  const cluster = (id: string | null) => arn('rds', `cluster:${id ?? '*'}`);
  const db = (id: string | null) => arn('rds', `db:${id ?? '*'}`);
  const tagged = (resource: string, createAction: string): IamRequest[] => {
    const keys = [...form.keys()].filter((k) => /^Tags\.(member\.)?\d+\.Key$|^Tags\.Tag\.\d+\.Key$/.test(k));
    if (!keys.length) return [];
    return [
      {
        action: 'rds:AddTagsToResource',
        resource,
        context: { 'rds:CreateAction': createAction, 'aws:TagKeys': keys.map((k) => form.get(k)!) },
      },
    ];
  };
  switch (op) {
    case 'DescribeDBClusters':
      return [{ action: 'rds:DescribeDBClusters', resource: cluster(form.get('DBClusterIdentifier')) }];
    case 'DescribeDBInstances':
      return [{ action: 'rds:DescribeDBInstances', resource: db(form.get('DBInstanceIdentifier')) }];
    case 'RestoreDBClusterToPointInTime': {
      const target = cluster(form.get('DBClusterIdentifier'));
      return [
        { action: 'rds:RestoreDBClusterToPointInTime', resource: target },
        {
          action: 'rds:RestoreDBClusterToPointInTime',
          resource: cluster(form.get('SourceDBClusterIdentifier')),
        },
        ...tagged(target, 'RestoreDBClusterToPointInTime'),
      ];
    }
    case 'CreateDBInstance':
      return [
        { action: 'rds:CreateDBInstance', resource: db(form.get('DBInstanceIdentifier')) },
        { action: 'rds:CreateDBInstance', resource: cluster(form.get('DBClusterIdentifier')) },
        ...tagged(db(form.get('DBInstanceIdentifier')), 'CreateDBInstance'),
      ];
    case 'DeleteDBInstance':
      return [{ action: 'rds:DeleteDBInstance', resource: db(form.get('DBInstanceIdentifier')) }];
    case 'DeleteDBCluster':
      return [{ action: 'rds:DeleteDBCluster', resource: cluster(form.get('DBClusterIdentifier')) }];
    default:
      return [{ action: `rds:${op}`, resource: '*' }];
  }
}

/** S3's REST operations as IAM names them (HeadObject is s3:GetObject, ListObjectsV2 s3:ListBucket). */
function s3Operation(req: WireRequest): { op: string; bucket: string; key: string } {
  const [, bucket = '', ...rest] = decodeURIComponent(req.path).split('/');
  const key = rest.join('/');
  const q = req.query;
  const m = req.method;
  const h = req.headers;
  let op: string;
  if (!key) {
    if (m === 'GET' && q.has('versions')) op = 'ListBucketVersions';
    else if (m === 'GET' && q.has('object-lock')) op = 'GetBucketObjectLockConfiguration';
    else if (m === 'GET' && q.has('versioning')) op = 'GetBucketVersioning';
    else if (m === 'GET' || m === 'HEAD') op = 'ListBucket';
    else if (m === 'POST' && q.has('delete')) op = 'DeleteObject';
    else op = `${m}Bucket`;
  } else if (q.has('retention')) op = m === 'PUT' ? 'PutObjectRetention' : 'GetObjectRetention';
  else if (q.has('legal-hold')) op = m === 'PUT' ? 'PutObjectLegalHold' : 'GetObjectLegalHold';
  else if (q.has('tagging')) op = m === 'PUT' ? 'PutObjectTagging' : 'GetObjectTagging';
  else if (m === 'DELETE' && q.has('uploadId')) op = 'AbortMultipartUpload';
  else if (m === 'GET' && q.has('uploadId')) op = 'ListMultipartUploadParts';
  else if (m === 'PUT' || m === 'POST') op = 'PutObject';
  else if (m === 'GET' || m === 'HEAD') op = q.has('versionId') ? 'GetObjectVersion' : 'GetObject';
  else if (m === 'DELETE') op = q.has('versionId') ? 'DeleteObjectVersion' : 'DeleteObject';
  else op = `${m}Object`;
  void h;
  return { op, bucket, key };
}

function s3Requests(req: WireRequest): IamRequest[] {
  const { op, bucket, key } = s3Operation(req);
  const object = `arn:${PARTITION}:s3:::${bucket}/${key}`;
  const bucketArn = `arn:${PARTITION}:s3:::${bucket}`;
  const resource = key ? object : bucketArn;
  const out: IamRequest[] = [];
  const context: Record<string, string> = {};
  const lockMode = req.headers['x-amz-object-lock-mode'];
  if (typeof lockMode === 'string') context['s3:object-lock-mode'] = lockMode;
  const retainUntil = req.headers['x-amz-object-lock-retain-until-date'];
  if (typeof retainUntil === 'string') context['s3:object-lock-retain-until-date'] = retainUntil;
  // ListObjects(V2) is authorized with the requested prefix as s3:prefix.
  if (op === 'ListBucket') context['s3:prefix'] = req.query.get('prefix') ?? '';
  out.push({ action: `s3:${op}`, resource, ...(Object.keys(context).length ? { context } : {}) });
  const copySource = req.headers['x-amz-copy-source'];
  if (op === 'PutObject' && typeof copySource === 'string') {
    const [path, query] = decodeURIComponent(copySource).replace(/^\//, '').split('?');
    out.push({
      action: query?.includes('versionId') ? 's3:GetObjectVersion' : 's3:GetObject',
      resource: `arn:${PARTITION}:s3:::${path}`,
    });
  }
  if (req.headers['x-amz-bypass-governance-retention'] === 'true')
    out.push({ action: 's3:BypassGovernanceRetention', resource });
  return out;
}
