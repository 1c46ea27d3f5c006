import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../functions/shared/clock.js';
import { parseConfig } from '../../../../functions/shared/config/index.js';
import type { TollgatePorts } from '../../../../functions/shared/ports/tollgate-ports.js';
import { createHandler } from '../../../../functions/verify-masking/handler.js';

const config = (database?: object) =>
  parseConfig({
    name: 'shop',
    source: { repository: 'shop' },
    build: { command: 'true', artifact: 'out.tgz' },
    ...(database ? { database } : {}),
    environments: [
      { name: 'prod', deploy: { type: 'ecs', cluster: 'c', service: 's', containerName: 'app' } },
    ],
  });
const handlerWith = (database?: object) =>
  createHandler(
    async () => ({ config: config(database), clock: new ManualClock() }) as unknown as TollgatePorts,
  );
const DATABASE = { engine: 'postgres', masking: [{ table: 'people', column: 'email', rule: 'email' }] };
const URL = 'postgres://postgres@127.0.0.1:1/postgres';

describe('verify-masking handler', () => {
  it('throws InvalidInput naming the field when the source connection string is missing', async () => {
    // Arrange / Act / Assert
    await expect(handlerWith(DATABASE)({ connectionString: URL })).rejects.toThrow(
      /^verify-masking: invalid input: sourceConnectionString: /,
    );
  });

  it('throws InvalidInput when the sample size is out of range', async () => {
    // Arrange / Act / Assert
    await expect(
      handlerWith(DATABASE)({ connectionString: URL, sourceConnectionString: URL, sampleSize: 0 }),
    ).rejects.toThrow(/^verify-masking: invalid input: sampleSize: /);
  });

  it('throws InvalidInput when the config has no database block', async () => {
    // Arrange / Act / Assert
    await expect(handlerWith()({ connectionString: URL, sourceConnectionString: URL })).rejects.toThrow(
      /^verify-masking: the config has no "database" block$/,
    );
  });

  it('throws one line without the password when the source cannot be reached', async () => {
    // Arrange
    const source = 'postgres://reader:s3cret-pw@127.0.0.1:1/postgres';
    // Act
    const error = await handlerWith(DATABASE)({
      connectionString: URL,
      sourceConnectionString: source,
    }).catch((e: Error) => e);
    // Assert
    expect((error as Error).message).toMatch(
      /^cannot connect to postgres:\/\/reader:\*\*\*@127\.0\.0\.1:1\/postgres: /,
    );
    expect((error as Error).message).not.toContain('s3cret-pw');
  });
});
