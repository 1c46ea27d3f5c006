import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLockTable } from '../../../../functions/shared/adapters/aws/dynamodb-lock-table.js';
import { FileLockTable } from '../../../../functions/shared/adapters/local/file-lock-table.js';
import type { LockTable } from '../../../../functions/shared/ports/lock-table.js';
import { BurstClock, runGuardBurst } from '../../../support/guard-burst.js';
import { createMotoLockTable } from '../../../support/moto-lock-table.js';
import { type MotoServer, motoEnabled, startMotoServer } from '../../../support/moto-server.js';

// Sized for CI (each round of the queued burst polls every waiter over HTTP on moto);
// `npm run bench -- reliability` sends the full 200 to both.
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

function burstSuite(name: string, BURST: number, locks: () => Promise<LockTable>) {
  describe(`concurrency guard burst on ${name}`, () => {
    it(`runs all ${BURST} commits of a burst one at a time in commit order, with no lock-contention failure, when queued`, async () => {
      // Arrange
      const clock = new BurstClock(Date.parse('2026-01-01T00:00:00Z'));
      // Act
      const report = await runGuardBurst({ locks: await locks(), clock, count: BURST, mode: 'queued' });
      // Assert
      expect(report.failures).toEqual([]);
      expect(report.lost).toEqual([]);
      expect(report.ran).toEqual(range(BURST));
      expect(clock.sleeps.length).toBeGreaterThan(0); // lost races backed off through the clock
    }, 120_000);

    it(`runs the first and the newest of ${BURST} commits and records every other one as superseded, when superseded`, async () => {
      // Arrange
      const clock = new BurstClock(Date.parse('2026-01-01T00:00:00Z'));
      // Act
      const report = await runGuardBurst({ locks: await locks(), clock, count: BURST, mode: 'superseded' });
      // Assert
      expect(report.failures).toEqual([]);
      expect(report.lost).toEqual([]);
      expect(report.ran.at(-1)).toBe(BURST - 1);
      expect(report.ran.length + report.skipped.length).toBe(BURST);
      for (const skip of report.skipped) expect(skip.reason).toMatch(/superseded mode runs only the newest/);
    }, 120_000);
  });
}

burstSuite(
  'the file lock table',
  60,
  async () => new FileLockTable(mkdtempSync(join(tmpdir(), 'tollgate-burst-'))),
);

describe.runIf(motoEnabled('concurrency guard burst on DynamoDB (moto_server)'))('on moto_server', () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMotoServer();
  });
  afterAll(async () => {
    await moto?.stop();
  });
  burstSuite(
    'DynamoDB (moto_server)',
    30,
    async () => new DynamoDbLockTable(await createMotoLockTable(moto)),
  );
});
