import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { TollgateConfig } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import type { SnapshotProvider, VolumeSetRef } from '../ports/snapshot-provider.js';
import { parseSslMode } from './pg-tls.js';

/**
 * Where an environment's database lives, resolved at run time through the snapshot provider, so a
 * connection string (with its password) never travels through the state machine's history.
 */
export function volumeMappings(
  config: TollgateConfig,
  environment: string,
): Array<{ source: string; target: string }> {
  const env = config.environments.find((e) => e.name === environment);
  if (!env) throw new ConfigError(`environment "${environment}" is not in the config`);
  if (!config.database) throw new ConfigError('the config has no "database" block');
  const configured = env.database?.volumes ?? [];
  return configured.length ? configured : [{ source: config.database.source, target: environment }];
}

/** The volume an environment's app and checks connect to (its first target volume). */
export function environmentVolume(config: TollgateConfig, environment: string): string {
  if (config.database && environment === config.database.source) {
    return volumeMappings(
      config,
      config.environments.find((e) => e.name !== environment)?.name ?? environment,
    )[0]!.source;
  }
  return volumeMappings(config, environment)[0]!.target;
}

let secrets: SecretsManagerClient | undefined;

export async function environmentConnectionString(
  ports: { config: TollgateConfig; snapshots: SnapshotProvider },
  environment: string,
  /** The clone a refresh prepared for the environment (staged clones are reachable only through it). */
  clone?: VolumeSetRef,
): Promise<string> {
  const info = await ports.snapshots.connection(clone ?? environmentVolume(ports.config, environment));
  if (info.kind === 'url') return info.connectionString;
  secrets ??= new SecretsManagerClient({});
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: info.secretArn }));
  const value = JSON.parse(secret.SecretString ?? '{}') as {
    host?: string;
    port?: number;
    username?: string;
    password?: string;
    dbname?: string;
    sslmode?: unknown;
    sslrootcert?: unknown;
  };
  const host = info.host ?? value.host;
  if (!host || !value.username) {
    throw new ConfigError(
      `connection secret for "${environment}" lacks host or username (RDS secret JSON expected)`,
    );
  }
  const url = new URL(`postgres://${host}:${info.port ?? value.port ?? 5432}/${value.dbname ?? 'postgres'}`);
  url.username = value.username;
  url.password = value.password ?? '';
  // TLS is on unless the secret says otherwise: RDS with rds.force_ssl=1 refuses anything else,
  // and the data tasks read PII. verify-full trusts the Lambda runtime's RDS CAs (pg-tls.ts).
  const where = `connection secret for "${environment}"`;
  if (value.sslmode !== undefined && typeof value.sslmode !== 'string')
    throw new ConfigError(`${where}: "sslmode" must be a string`);
  url.searchParams.set('sslmode', parseSslMode(value.sslmode ?? 'verify-full', where));
  if (value.sslrootcert !== undefined) {
    if (typeof value.sslrootcert !== 'string' || !value.sslrootcert)
      throw new ConfigError(`${where}: "sslrootcert" must be the path of a PEM file`);
    url.searchParams.set('sslrootcert', value.sslrootcert);
  }
  return url.toString();
}
