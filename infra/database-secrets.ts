import { ArnFormat, type Stack, Token } from 'aws-cdk-lib';
import type { TollgateConfig } from '../functions/shared/config/schema.js';
import { environmentVolume } from '../functions/shared/database/environment-connection.js';

const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const SECRET_ARN = /^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:\d{12}:secret:([A-Za-z0-9/_+=.@-]{1,512})$/;
/** Secrets Manager appends `-` and six random characters to every secret's name in its ARN. */
const ARN_SUFFIX = /-[A-Za-z0-9]{6}$/;

/**
 * The IAM resource for a Secrets Manager id as users write it. A name (or a partial ARN) matches
 * the real ARN only with the random suffix, written `-??????` so it cannot match a longer name.
 * A token (a secret created in the same app) already resolves to the complete ARN.
 */
export function secretResourceArn(stack: Stack, id: string): string {
  if (Token.isUnresolved(id)) return id;
  const arn = SECRET_ARN.exec(id);
  if (arn) return ARN_SUFFIX.test(arn[1]) ? id : `${id}-??????`;
  return stack.formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${id}-??????`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

function idProblem(where: string, id: unknown): string | undefined {
  if (typeof id !== 'string' || id.trim() === '')
    return `${where} must be a Secrets Manager secret name or ARN, got ${JSON.stringify(id)}`;
  if (Token.isUnresolved(id) || SECRET_ARN.test(id)) return undefined;
  if (id.startsWith('arn:'))
    return `${where} "${id}" is not a Secrets Manager secret ARN (arn:<partition>:secretsmanager:<region>:<account>:secret:<name>)`;
  if (!SECRET_NAME.test(id))
    return `${where} "${id}" is not a valid secret name (1-512 of A-Z a-z 0-9 / _ + = . @ -)`;
  return undefined;
}

/** A Secrets Manager id's problem as a list (empty when it is usable), for node validations. */
export function secretIdProblems(where: string, id: unknown): string[] {
  const problem = idProblem(where, id);
  return problem ? [problem] : [];
}

/**
 * The key under which the functions look up an environment's connection secret: the environment's
 * first target volume, which is the environment's own name unless `database.volumes` says otherwise.
 */
export function requiredSecretKeys(config: TollgateConfig): Array<{ environment: string; key: string }> {
  const provider = config.database?.provider.type ?? 'local';
  if (provider === 'local') return [];
  return config.environments
    .filter((env) => env.database !== undefined)
    .map((env) => ({ environment: env.name, key: environmentVolume(config, env.name) }));
}

/** Everything wrong with `databaseSecrets` for this config, one line each; empty when it is usable. */
export function databaseSecretProblems(
  config: TollgateConfig,
  secrets: Readonly<Record<string, string>> | undefined,
  path = 'databaseSecrets',
): string[] {
  if (secrets !== undefined && (typeof secrets !== 'object' || secrets === null || Array.isArray(secrets))) {
    return [`${path} must be an object mapping environment name to a Secrets Manager secret name or ARN`];
  }
  const problems: string[] = [];
  const given = secrets ?? {};
  if (!config.database && Object.keys(given).length > 0) {
    return [`${path} is set but the config has no "database" block; remove it or add the database`];
  }
  const provider = config.database?.provider;
  if (provider?.type === 'flasharray') {
    const problem = idProblem('database.provider.apiTokenSecret', provider.apiTokenSecret);
    if (problem) problems.push(problem);
  }
  const known = new Set<string>(config.environments.map((e) => e.name));
  for (const env of config.environments)
    for (const v of env.database?.volumes ?? []) known.add(v.source).add(v.target);
  if (config.database) known.add(config.database.source);
  for (const [key, id] of Object.entries(given)) {
    if (!known.has(key)) {
      problems.push(
        `${path} has "${key}", which is neither an environment nor a database volume in the config`,
      );
      continue;
    }
    const problem = idProblem(`${path}["${key}"]`, id);
    if (problem) problems.push(problem);
  }
  for (const { environment, key } of requiredSecretKeys(config)) {
    if (Object.hasOwn(given, key)) continue;
    const fix =
      path === 'aws.databaseSecrets'
        ? `aws: { databaseSecrets: { "${key}": "<secret name or ARN>" } } in the config`
        : `databaseSecrets: { "${key}": "<secret name or ARN>" }`;
    problems.push(
      `environment "${environment}" has a database but ${path} has no "${key}" entry; the ` +
        `${provider?.type} provider needs its connection secret: ${fix}`,
    );
  }
  return problems;
}

/** TOLLGATE_DATABASE_SECRETS: the map as given (Secrets Manager takes a name or an ARN as SecretId). */
export function databaseSecretsVariable(
  stack: Stack,
  secrets: Readonly<Record<string, string>> | undefined,
): string {
  const map = secrets ?? {};
  return Object.values(map).some((id) => Token.isUnresolved(id))
    ? stack.toJsonString(map)
    : JSON.stringify(map);
}
