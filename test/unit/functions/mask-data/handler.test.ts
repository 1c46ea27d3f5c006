import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHandler } from '../../../../functions/mask-data/handler.js';
import { ManualClock } from '../../../../functions/shared/clock.js';
import { parseConfig } from '../../../../functions/shared/config/index.js';
import type { TollgatePorts } from '../../../../functions/shared/ports/tollgate-ports.js';
import { type PgliteServer, sql, startPgliteServer } from '../../../support/pglite-server.js';

const config = parseConfig({
  name: 'shop',
  source: { repository: 'shop' },
  build: { command: 'true', artifact: 'out.tgz' },
  database: { engine: 'postgres', masking: [{ table: 'people', column: 'email', rule: 'email' }] },
  environments: [{ name: 'prod', deploy: { type: 'ecs', cluster: 'c', service: 's', containerName: 'app' } }],
});
const handler = createHandler(async () => ({ config, clock: new ManualClock() }) as unknown as TollgatePorts);

let db: PgliteServer;

describe('mask-data handler', () => {
  beforeAll(async () => {
    db = await startPgliteServer();
    await sql(
      db.connectionString,
      "CREATE TABLE people (id int PRIMARY KEY, email text); INSERT INTO people VALUES (1, 'zed@corp.io')",
    );
  });
  afterAll(async () => {
    await db.stop();
  });

  it('masks the configured columns and logs neither the salt nor the password', async () => {
    // Arrange
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    const url = db.connectionString.replace('postgres@', 'postgres:hunter2-password@');
    // The scan only means something if the handler logs all it ever would (the input is at DEBUG).
    const level = process.env.TOLLGATE_LOG_LEVEL;
    process.env.TOLLGATE_LOG_LEVEL = 'DEBUG';
    const verbose = createHandler(
      async () => ({ config, clock: new ManualClock() }) as unknown as TollgatePorts,
    );
    process.env.TOLLGATE_LOG_LEVEL = level;
    // Act
    let result: Awaited<ReturnType<typeof handler>>;
    try {
      result = await verbose({
        connectionString: url,
        saltSecret: 'salt-nobody-sees-1234',
        runKey: 'exec#Mask',
      });
    } finally {
      spy.mockRestore();
    }
    // Assert
    expect(result.rules).toEqual([{ table: 'people', column: 'email', rule: 'email', rows: 1 }]);
    expect(await sql(db.connectionString, 'SELECT email FROM people')).toEqual([
      { email: expect.stringMatching(/^user_[0-9a-f]{16}@example\.invalid$/) },
    ]);
    const log = written.join('');
    expect(log).toContain('task input');
    expect(log).not.toContain('salt-nobody-sees-1234');
    expect(log).not.toContain('hunter2-password');
  });

  it('throws InvalidInput and masks nothing when the salt is too short', async () => {
    // Arrange
    const before = await sql(db.connectionString, 'SELECT email FROM people');
    // Act / Assert
    await expect(
      handler({ connectionString: db.connectionString, saltSecret: 'short', runKey: 'k' }),
    ).rejects.toThrow(/^mask-data: invalid input: saltSecret: must be at least 16 characters$/);
    expect(await sql(db.connectionString, 'SELECT email FROM people')).toEqual(before);
  });

  it('throws InvalidInput when an unknown field is passed', async () => {
    // Arrange / Act / Assert
    await expect(
      handler({ connectionString: db.connectionString, saltSecret: 'x'.repeat(16), runKey: 'k', salt: 'y' }),
    ).rejects.toThrow(/^mask-data: invalid input: /);
  });
});
