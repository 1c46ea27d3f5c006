import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collectRaw,
  queryRows,
} from '../../../../../../functions/shared/adapters/local/pg-shared-session.js';
import {
  dataRows,
  queryMessage,
} from '../../../../../../functions/shared/adapters/local/pg-wire-messages.js';

/** Lets every pending callback run; no timers, so no test time passes. */
async function settle(): Promise<void> {
  for (let i = 0; i < 50; i += 1) await new Promise((r) => setImmediate(r));
}

describe('collectRaw and queryRows', () => {
  let db: PGlite;

  beforeAll(async () => {
    db = await PGlite.create();
  });

  afterAll(async () => {
    await db.close();
  });

  it('returns everything PGlite answered to a message, up to its ReadyForQuery', async () => {
    // Act
    const response = await collectRaw(db, queryMessage("SELECT 'a' UNION ALL SELECT 'b'"));
    // Assert: the last message is ReadyForQuery ('Z', length 5, idle).
    expect(dataRows(response)).toEqual([['a'], ['b']]);
    expect([...response.subarray(-6)]).toEqual([0x5a, 0, 0, 0, 5, 0x49]);
  });

  it('waits for a turn another caller holds before running its message', async () => {
    // Arrange
    let release: () => void = () => undefined;
    const held = db.runExclusive(() => new Promise<void>((r) => (release = r)));
    let collected = false;
    // Act
    const collecting = collectRaw(db, queryMessage('SELECT 1')).then((response) => {
      collected = true;
      return response;
    });
    await settle();
    const beforeRelease = collected;
    release();
    await held;
    // Assert
    expect(beforeRelease).toBe(false);
    expect(dataRows(await collecting)).toEqual([['1']]);
  });

  it("throws the first ErrorResponse's message as queryRows' error", async () => {
    // Act
    const error = await queryRows(db, 'SELECT * FROM no_such_table').catch((e: Error) => e);
    // Assert
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/relation "no_such_table" does not exist/);
  });
});
