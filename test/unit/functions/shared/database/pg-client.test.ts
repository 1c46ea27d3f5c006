import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { connectionStringSchema } from '../../../../../functions/shared/database/connection-string.js';
import { connect } from '../../../../../functions/shared/database/pg-client.js';

describe('connect', () => {
  it('throws one line without the password when nothing listens on the port', async () => {
    // Arrange: take a free port, then close it so the connection is refused.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    // Act
    const error = await connect(`postgres://app:hunter2@127.0.0.1:${port}/db`).catch((e: Error) => e);
    // Assert
    expect((error as Error).message).toMatch(
      /^cannot connect to postgres:\/\/app:\*\*\*@127\.0\.0\.1:\d+\/db: /,
    );
    expect((error as Error).message).not.toContain('hunter2');
    expect((error as Error).message).not.toContain('\n');
  });

  it('throws when the connection string is not a postgres URL', async () => {
    // Arrange / Act / Assert
    await expect(connect('mysql://localhost/db')).rejects.toThrow(/must be a postgres:\/\//);
  });
});

describe('connectionStringSchema', () => {
  it('returns a secret that serialises without the password when the URL is valid', () => {
    // Arrange / Act
    const secret = connectionStringSchema.parse('postgresql://app:hunter2@db.internal:5432/orders');
    // Assert
    expect(secret.reveal()).toBe('postgresql://app:hunter2@db.internal:5432/orders');
    expect(JSON.stringify({ secret })).not.toContain('hunter2');
    expect(Object.entries(secret)).toEqual([]);
  });

  it('rejects a URL without a host', () => {
    // Arrange / Act
    const result = connectionStringSchema.safeParse('postgres:///orders');
    // Assert
    expect(result.success).toBe(false);
  });
});
