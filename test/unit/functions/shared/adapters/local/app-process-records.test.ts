import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AppProcess, isGroupAlive } from '../../../../../../functions/shared/adapters/local/app-process.js';
import { AppRecords } from '../../../../../../functions/shared/adapters/local/app-records.js';
import { systemClock } from '../../../../../../functions/shared/clock.js';

const APP_PROCESS = pathToFileURL(
  join(import.meta.dirname, '../../../../../../functions/shared/adapters/local/app-process.ts'),
).href;

/** An app that proves it ran by writing a marker file, then keeps running. */
const APP =
  "import { writeFileSync } from 'node:fs';\nwriteFileSync('ran', String(process.pid));\nsetInterval(() => {}, 1000);\n";

/**
 * A Tollgate process that starts the app and dies (SIGKILL, no clean-up) inside the record step,
 * after the spawn and before the pid is on record: the crash window this design closes.
 */
function crashInRecord(dir: string, crash: boolean): { heldPid: number } {
  writeFileSync(join(dir, 'app.mjs'), APP);
  const script = `
import { writeFileSync } from 'node:fs';
import { AppProcess } from ${JSON.stringify(APP_PROCESS)};
const clock = { now: () => new Date() };
const app = await AppProcess.start(
  { command: 'node app.mjs', cwd: ${JSON.stringify(dir)}, port: 1, env: {}, logFile: ${JSON.stringify(join(dir, 'app.log'))} },
  clock,
  async (pid) => {
    writeFileSync(${JSON.stringify(join(dir, 'held'))}, String(pid));
    if (${crash}) process.kill(process.pid, 'SIGKILL');
  },
);
`;
  writeFileSync(join(dir, 'tollgate.mjs'), script);
  spawnSync(process.execPath, ['--import', 'tsx', join(dir, 'tollgate.mjs')], { cwd: process.cwd() });
  return { heldPid: Number(readFileSync(join(dir, 'held'), 'utf8')) };
}

describe('AppProcess.start', () => {
  it('never runs the app when Tollgate dies between the spawn and the pid record', async () => {
    // Arrange
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-held-'));
    // Act
    const { heldPid } = crashInRecord(dir, true);
    // Assert: the held shell exits on its own (stdin closed), and the app never ran
    await expect.poll(() => isGroupAlive(heldPid), { timeout: 10_000 }).toBe(false);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });

  it('runs the app once the pid is on record (the same script, without the crash)', async () => {
    // Arrange
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-held-'));
    // Act
    const { heldPid } = crashInRecord(dir, false);
    // Assert: exec kept the pid: the app is the recorded process
    await expect.poll(() => existsSync(join(dir, 'ran')), { timeout: 10_000 }).toBe(true);
    expect(Number(readFileSync(join(dir, 'ran'), 'utf8'))).toBe(heldPid);
    process.kill(-heldPid, 'SIGKILL');
  });
});

describe('AppRecords.reap', () => {
  it('stops a recorded app that is not the kept instance and forgets it, leaving the kept one running', async () => {
    // Arrange: two recorded apps, as after a crash mid-rollout (the new one never became active)
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-reap-'));
    writeFileSync(join(dir, 'app.mjs'), 'setInterval(() => {}, 1000);\n');
    const records = new AppRecords(join(dir, 'apps'));
    const start = (port: number) =>
      AppProcess.start(
        { command: 'node app.mjs', cwd: dir, port, env: {}, logFile: join(dir, 'app.log') },
        systemClock,
        (pid) => records.record({ pid, port, version: `r${port}`, at: '2026-01-01T00:00:00.000Z' }),
      );
    const active = await start(1);
    const orphan = await start(2);
    // Act
    const stopped = await records.reap(active.pid, 500, (ms) => new Promise((r) => setTimeout(r, ms)));
    // Assert
    expect(stopped).toEqual([orphan.pid]);
    expect(isGroupAlive(orphan.pid)).toBe(false);
    expect(isGroupAlive(active.pid)).toBe(true);
    expect(readdirSync(join(dir, 'apps')).filter((n) => n.endsWith('.json'))).toEqual([`${active.pid}.json`]);
    await active.stop(500);
  });
});
