// biome-ignore-all lint/suspicious/noExplicitAny: CloudFormation template JSON is untyped
/**
 * The synthesized template, read as CloudFormation would deploy it into one account: every
 * intrinsic (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split) resolved against physical
 * names chosen here, so the functions' environments, the roles' policies and the state machine's
 * definition are the template's own, with concrete ARNs.
 */
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const PARTITION = 'aws';

export interface FunctionModel {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly roleArn: string;
  /** The asset hash its Code points at (cdk.out/asset.<hash>). */
  readonly assetHash: string;
  readonly handler: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
}

interface RoleModel {
  readonly logicalId: string;
  readonly arn: string;
  /** Identity policies: inline, attached AWS::IAM::Policy and customer managed ones of the template. */
  readonly policies: ReadonlyArray<{ readonly name: string; readonly document: any }>;
}

export interface TemplateModel {
  readonly resources: Readonly<Record<string, any>>;
  resolve(value: unknown): any;
  physicalName(logicalId: string): string;
  readonly functions: readonly FunctionModel[];
  readonly roles: ReadonlyMap<string, RoleModel>;
  readonly stateMachine: { readonly arn: string; readonly roleArn: string; readonly definition: string };
  /** Resource logical ids by type. */
  ofType(type: string): string[];
}

const PSEUDO: Record<string, string> = {
  'AWS::AccountId': ACCOUNT,
  'AWS::Region': REGION,
  'AWS::Partition': PARTITION,
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'Tollgate',
  'AWS::NoValue': '',
};

/**
 * `overrides` gives the physical id of resources whose name the emulator picks (a secret's ARN
 * carries a random suffix), keyed by logical id.
 */
export function readTemplate(template: any, overrides: Readonly<Record<string, string>> = {}): TemplateModel {
  const resources: Record<string, any> = template.Resources;
  const physicalName = (id: string): string => {
    if (overrides[id]) return overrides[id];
    const r = resources[id];
    if (!r) throw new Error(`template has no resource "${id}"`);
    const p = r.Properties ?? {};
    const explicit =
      p.BucketName ?? p.TableName ?? p.RepositoryName ?? p.FunctionName ?? p.Name ?? p.RoleName;
    if (typeof explicit === 'string') return explicit;
    // Like CloudFormation: stack name + logical id, lower-cased where the service requires it.
    const name = `tollgate-${id}`.slice(0, 63);
    return r.Type === 'AWS::S3::Bucket' ? name.toLowerCase() : name;
  };
  const arnOf = (id: string): string => {
    const r = resources[id];
    const name = physicalName(id);
    const region = `${PARTITION}:`;
    switch (r.Type) {
      case 'AWS::S3::Bucket':
        return `arn:${PARTITION}:s3:::${name}`;
      case 'AWS::DynamoDB::Table':
        return `arn:${region}dynamodb:${REGION}:${ACCOUNT}:table/${name}`;
      case 'AWS::Lambda::Function':
        return `arn:${region}lambda:${REGION}:${ACCOUNT}:function:${name}`;
      case 'AWS::IAM::Role':
        return `arn:${PARTITION}:iam::${ACCOUNT}:role/${name}`;
      case 'AWS::IAM::ManagedPolicy':
        return `arn:${PARTITION}:iam::${ACCOUNT}:policy/${name}`;
      case 'AWS::Logs::LogGroup':
        return `arn:${region}logs:${REGION}:${ACCOUNT}:log-group:${name}:*`;
      case 'AWS::SNS::Topic':
        return `arn:${region}sns:${REGION}:${ACCOUNT}:${name}`;
      case 'AWS::SQS::Queue':
        return `arn:${region}sqs:${REGION}:${ACCOUNT}:${name}`;
      case 'AWS::KMS::Key':
        return `arn:${region}kms:${REGION}:${ACCOUNT}:key/${name}`;
      case 'AWS::ECR::Repository':
        return `arn:${region}ecr:${REGION}:${ACCOUNT}:repository/${name}`;
      case 'AWS::SecretsManager::Secret':
        return name.startsWith('arn:')
          ? name
          : `arn:${region}secretsmanager:${REGION}:${ACCOUNT}:secret:${name}`;
      case 'AWS::StepFunctions::StateMachine':
        return `arn:${region}states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
      case 'AWS::CodeBuild::Project':
        return `arn:${region}codebuild:${REGION}:${ACCOUNT}:project/${name}`;
      case 'AWS::Events::Rule':
        return `arn:${region}events:${REGION}:${ACCOUNT}:rule/${name}`;
      default:
        throw new Error(`no ARN rule for ${r.Type} (${id})`);
    }
  };
  const ref = (id: string): string => {
    if (id in PSEUDO) return PSEUDO[id];
    const type = resources[id]?.Type;
    if (!type) throw new Error(`Ref to unknown "${id}"`);
    if (
      [
        'AWS::SNS::Topic',
        'AWS::StepFunctions::StateMachine',
        'AWS::IAM::ManagedPolicy',
        'AWS::SecretsManager::Secret',
      ].includes(type)
    )
      return arnOf(id);
    if (type === 'AWS::SQS::Queue')
      return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${physicalName(id)}`;
    return physicalName(id);
  };
  const getAtt = (id: string, attr: string): string => {
    const type = resources[id]?.Type;
    if (attr === 'Arn') return arnOf(id);
    if (attr === 'Name') return physicalName(id);
    if (type === 'AWS::Lambda::Url' && attr === 'FunctionUrl')
      return `https://${id.toLowerCase()}.lambda-url.${REGION}.on.aws/`;
    if (type === 'AWS::ECR::Repository' && attr === 'RepositoryUri')
      return `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${physicalName(id)}`;
    throw new Error(`no Fn::GetAtt rule for ${type}.${attr} (${id})`);
  };
  const resolve = (value: any): any => {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [k] = keys;
      const v = value[k];
      if (k === 'Ref') return ref(v);
      if (k === 'Fn::GetAtt') return getAtt(v[0], v[1]);
      if (k === 'Fn::Join') return (resolve(v[1]) as unknown[]).join(v[0]);
      if (k === 'Fn::Select') return resolve(v[1])[Number(v[0])];
      if (k === 'Fn::Split') return String(resolve(v[1])).split(v[0]);
      if (k === 'Fn::Sub') return sub(v);
    }
    return Object.fromEntries(keys.map((k) => [k, resolve(value[k])]));
  };
  const sub = (v: any): string => {
    const [text, vars] = typeof v === 'string' ? [v, {}] : [v[0], resolve(v[1] ?? {})];
    return text.replace(/\$\{([^}!][^}]*)\}/g, (_m: string, name: string) => {
      if (name in vars) return String(vars[name]);
      const [id, attr] = name.split('.');
      return attr ? getAtt(id, attr) : ref(id);
    });
  };
  const ofType = (type: string) => Object.keys(resources).filter((id) => resources[id].Type === type);

  const roles = new Map<string, RoleModel>();
  for (const id of ofType('AWS::IAM::Role')) {
    const p = resources[id].Properties;
    const policies = [
      ...(p.Policies ?? []).map((x: any) => ({ name: x.PolicyName, document: resolve(x.PolicyDocument) })),
      ...ofType('AWS::IAM::Policy')
        .filter((pid) => resources[pid].Properties.Roles?.some((r: any) => r.Ref === id))
        .map((pid) => ({ name: pid, document: resolve(resources[pid].Properties.PolicyDocument) })),
      ...ofType('AWS::IAM::ManagedPolicy')
        .filter((pid) => resources[pid].Properties.Roles?.some((r: any) => r.Ref === id))
        .map((pid) => ({ name: pid, document: resolve(resources[pid].Properties.PolicyDocument) })),
    ];
    roles.set(arnOf(id), { logicalId: id, arn: arnOf(id), policies });
  }

  const functions = ofType('AWS::Lambda::Function').map((id): FunctionModel => {
    const p = resources[id].Properties;
    const key = String(resolve(p.Code?.S3Key ?? ''));
    return {
      logicalId: id,
      name: physicalName(id),
      arn: arnOf(id),
      roleArn: resolve(p.Role),
      assetHash: key.replace(/\.zip$/, ''),
      handler: p.Handler,
      environment: resolve(p.Environment?.Variables ?? {}),
      timeoutSeconds: p.Timeout ?? 3,
    };
  });

  const [smId] = ofType('AWS::StepFunctions::StateMachine');
  const sm = resources[smId].Properties;
  const substitutions: Record<string, string> = resolve(sm.DefinitionSubstitutions ?? {});
  // Step Functions applies DefinitionSubstitutions to `${Name}` itself, after CloudFormation.
  const definition = String(resolve(sm.DefinitionString)).replace(/\$\{([A-Za-z][A-Za-z0-9_]*)\}/g, (m, n) =>
    n in substitutions ? substitutions[n] : m,
  );
  return {
    resources,
    resolve,
    physicalName,
    functions,
    roles,
    stateMachine: { arn: arnOf(smId), roleArn: resolve(sm.RoleArn), definition },
    ofType,
  };
}
