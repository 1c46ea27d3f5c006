import { App, Stack, Token } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/shared/config/load-config.js';
import {
  databaseSecretProblems,
  databaseSecretsVariable,
  requiredSecretKeys,
  secretResourceArn,
} from '../../infra/database-secrets.js';
import { AURORA_SECRETS, auroraConfigInput, ecsConfig, flashArrayConfigInput } from './stack-fixture.js';

const aurora = () => parseConfig(auroraConfigInput(), 'test');
const stack = () => new Stack(new App(), 'S');

describe('secretResourceArn', () => {
  it('returns a complete ARN unchanged when it ends in the six-character suffix', () => {
    expect(secretResourceArn(stack(), AURORA_SECRETS.staging)).toBe(AURORA_SECRETS.staging);
  });

  it('returns a partial ARN with the suffix pattern appended when the suffix is missing', () => {
    // Arrange
    const partial = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders/prod';

    // Act / Assert
    expect(secretResourceArn(stack(), partial)).toBe(`${partial}-??????`);
  });

  it('returns an ARN in the stack account and region with the suffix pattern when given a name', () => {
    // Arrange
    const s = stack();

    // Act
    const arn = s.resolve(secretResourceArn(s, 'orders/prod-db'));

    // Assert
    expect(JSON.stringify(arn)).toMatch(
      /:secretsmanager:.*AWS::Region.*AWS::AccountId.*:secret:orders\/prod-db-\?{6}"/,
    );
  });

  it('returns a token unchanged when the secret is created in the same app', () => {
    // Arrange
    const token = Token.asString({ Ref: 'Secret' });

    // Act / Assert
    expect(secretResourceArn(stack(), token)).toBe(token);
  });
});

describe('databaseSecretProblems', () => {
  it('returns no problems when every environment with a database has its secret', () => {
    expect(databaseSecretProblems(aurora(), AURORA_SECRETS)).toEqual([]);
  });

  it('returns one line naming the environment and the key when a secret is missing', () => {
    // Act
    const problems = databaseSecretProblems(aurora(), { staging: AURORA_SECRETS.staging });

    // Assert
    expect(problems).toEqual([
      'environment "prod" has a database but databaseSecrets has no "prod" entry; the aurora-clone provider ' +
        'needs its connection secret: databaseSecrets: { "prod": "<secret name or ARN>" }',
    ]);
  });

  it('returns the missing entries for every environment when no map is given', () => {
    expect(databaseSecretProblems(aurora(), undefined)).toHaveLength(2);
  });

  it('returns no problems for the local provider without any secrets', () => {
    // Arrange
    const local = parseConfig({ ...auroraConfigInput(), database: { engine: 'postgres' } }, 'test');

    // Act / Assert
    expect(requiredSecretKeys(local)).toEqual([]);
    expect(databaseSecretProblems(local, undefined)).toEqual([]);
  });

  it('returns the volume as the key when the environment maps its own volumes', () => {
    // Arrange
    const input = auroraConfigInput();
    const config = parseConfig(
      {
        ...input,
        environments: [
          {
            ...input.environments[0],
            database: { refresh: true, volumes: [{ source: 'prod', target: 'orders-stg' }] },
          },
          input.environments[1],
        ],
      },
      'test',
    );

    // Act / Assert
    expect(requiredSecretKeys(config)).toEqual([
      { environment: 'staging', key: 'orders-stg' },
      { environment: 'prod', key: 'prod' },
    ]);
    expect(databaseSecretProblems(config, AURORA_SECRETS)).toEqual([
      expect.stringContaining(
        'environment "staging" has a database but databaseSecrets has no "orders-stg" entry',
      ),
    ]);
  });

  it('returns a line for a key that is neither an environment nor a volume', () => {
    expect(databaseSecretProblems(aurora(), { ...AURORA_SECRETS, stagign: 'orders/x' })).toEqual([
      'databaseSecrets has "stagign", which is neither an environment nor a database volume in the config',
    ]);
  });

  it('returns a line for an empty secret id', () => {
    expect(databaseSecretProblems(aurora(), { ...AURORA_SECRETS, prod: ' ' })).toEqual([
      'databaseSecrets["prod"] must be a Secrets Manager secret name or ARN, got " "',
    ]);
  });

  it('returns a line for an ARN of another service', () => {
    // Arrange
    const arn = 'arn:aws:ssm:eu-west-1:111122223333:parameter/orders/prod';

    // Act / Assert
    expect(databaseSecretProblems(aurora(), { ...AURORA_SECRETS, prod: arn })).toEqual([
      `databaseSecrets["prod"] "${arn}" is not a Secrets Manager secret ARN (arn:<partition>:secretsmanager:<region>:<account>:secret:<name>)`,
    ]);
  });

  it('returns a line for a name with characters Secrets Manager refuses', () => {
    expect(databaseSecretProblems(aurora(), { ...AURORA_SECRETS, prod: 'orders prod!' })).toEqual([
      'databaseSecrets["prod"] "orders prod!" is not a valid secret name (1-512 of A-Z a-z 0-9 / _ + = . @ -)',
    ]);
  });

  it('returns a line when the map is not an object', () => {
    expect(databaseSecretProblems(aurora(), ['orders/prod'] as never)).toEqual([
      'databaseSecrets must be an object mapping environment name to a Secrets Manager secret name or ARN',
    ]);
  });

  it('returns a line when secrets are given for a config without a database', () => {
    expect(databaseSecretProblems(ecsConfig(), AURORA_SECRETS)).toEqual([
      'databaseSecrets is set but the config has no "database" block; remove it or add the database',
    ]);
  });

  it('returns a line when the FlashArray token secret is not a valid id', () => {
    // Arrange
    const input = flashArrayConfigInput();
    const config = parseConfig(
      {
        ...input,
        database: {
          engine: 'postgres',
          provider: { type: 'flasharray', endpoint: 'https://a.b', apiTokenSecret: 'bad token' },
        },
      },
      'test',
    );

    // Act / Assert
    expect(databaseSecretProblems(config, AURORA_SECRETS)).toEqual([
      'database.provider.apiTokenSecret "bad token" is not a valid secret name (1-512 of A-Z a-z 0-9 / _ + = . @ -)',
    ]);
  });
});

describe('databaseSecretsVariable', () => {
  it('returns the map as plain JSON when every id is a literal', () => {
    expect(JSON.parse(databaseSecretsVariable(stack(), AURORA_SECRETS))).toEqual(AURORA_SECRETS);
  });

  it('returns an empty object when no map is given', () => {
    expect(databaseSecretsVariable(stack(), undefined)).toBe('{}');
  });

  it('returns a JSON document CloudFormation completes when an id is a token', () => {
    // Arrange
    const s = stack();

    // Act
    const value = s.resolve(databaseSecretsVariable(s, { prod: Token.asString({ Ref: 'ProdSecret' }) }));

    // Assert
    expect(JSON.stringify(value)).toContain('{"Ref":"ProdSecret"}');
  });
});
