import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler } from '../../../../functions/check-data/handler.js';
import { ManualClock } from '../../../../functions/shared/clock.js';
import { parseConfig } from '../../../../functions/shared/config/index.js';
import type { TollgatePorts } from '../../../../functions/shared/ports/tollgate-ports.js';
import { type PgliteServer, sql, startPgliteServer } from '../../../support/pglite-server.js';

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
const DATABASE = { engine: 'postgres', checks: [{ type: 'rowCountMatchesSource', table: 'items' }] };

let db: PgliteServer;

describe('check-data handler', () => {
  beforeAll(async () => {
    db = await startPgliteServer();
    await sql(
      db.connectionString,
      'CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items VALUES (1), (2)',
    );
  });
  afterAll(async () => {
    await db.stop();
  });

  it('returns the evidence of the configured checks when they pass', async () => {
    // Arrange / Act
    const result = await handlerWith(DATABASE)({
      connectionString: db.connectionString,
      sourceRowCounts: { items: 2 },
    });
    // Assert
    expect(result.evidence).toEqual([
      {
        check: 'row count items matches source',
        type: 'rowCountMatchesSource',
        passed: true,
        count: 0,
        sample: [],
      },
    ]);
  });

  it('throws Tollgate.DataCheckFailed with a one-line summary when a check fails', async () => {
    // Arrange / Act
    const error = await handlerWith(DATABASE)({
      connectionString: db.connectionString,
      sourceRowCounts: { items: 3 },
    }).catch((e: Error) => e);
    // Assert
    expect((error as Error).name).toBe('Tollgate.DataCheckFailed');
    expect((error as Error).message).toBe('1 of 1 data checks failed: row count items matches source (1)');
  });

  it('throws InvalidInput when a source row count is negative', async () => {
    // Arrange / Act / Assert
    await expect(
      handlerWith(DATABASE)({ connectionString: db.connectionString, sourceRowCounts: { items: -1 } }),
    ).rejects.toThrow(/^check-data: invalid input: sourceRowCounts\.items: /);
  });

  it('throws InvalidInput when the config has no database block', async () => {
    // Arrange / Act / Assert
    await expect(handlerWith()({ connectionString: db.connectionString })).rejects.toThrow(
      /^check-data: the config has no "database" block$/,
    );
  });
});
