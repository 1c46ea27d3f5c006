import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { FileTaskLogs } from '../../../../../../functions/shared/adapters/local/file-task-logs.js';
import { defineTask } from '../../../../../../functions/shared/handler.js';
import type { TollgatePorts } from '../../../../../../functions/shared/ports/tollgate-ports.js';

const RUN = 'arn:aws:states:us-east-1:000000000000:execution:tollgate-orders:run-1';
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'task-logs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A real task through defineTask, as the function runner calls it: Powertools prints, the store keeps. */
function task(logs: FileTaskLogs, run: (input: { environment: string }) => Promise<unknown>) {
  const handler = defineTask(
    {
      name: 'demo-task',
      input: z.object({ executionArn: z.string(), stateName: z.string(), environment: z.string() }),
      run: async (input, _ports, { logger }) => {
        logger.info('working', { rows: 3, password: 'hunter2' });
        return run(input);
      },
    },
    async () => ({}) as TollgatePorts,
  );
  return (stateName: string, environment: string) =>
    handler({ executionArn: RUN, stateName, environment }, { awsRequestId: 'local', taskLog: logs });
}

describe('FileTaskLogs', () => {
  it('keeps each line a task logs with its run, state and environment, redacted, in the order written', async () => {
    // Arrange
    const logs = new FileTaskLogs({ dir });
    const invoke = task(logs, async () => ({ ok: true }));
    // Act
    await Promise.all([invoke('Deploy', 'test'), invoke('Deploy', 'staging')]);
    const page = await logs.read(RUN);
    // Assert
    expect(page.truncated).toBe(false);
    const test = page.lines.filter((l) => l.environment === 'test');
    expect(test.map((l) => [l.state, l.level, l.message])).toEqual([
      ['Deploy', 'INFO', 'task started'],
      ['Deploy', 'INFO', 'working'],
      ['Deploy', 'INFO', 'task finished'],
    ]);
    expect(test[1]!.fields).toMatchObject({ rows: 3, password: '[redacted]' });
    expect(test[1]!.service).toBe('demo-task');
    expect(page.lines.filter((l) => l.environment === 'staging')).toHaveLength(3);
    expect(readFileSync(join(dir, 'run-1.jsonl'), 'utf8')).not.toContain('hunter2');
    expect(statSync(join(dir, 'run-1.jsonl')).mode & 0o777).toBe(0o600);
  });

  it('keeps a failing task’s error line', async () => {
    // Arrange
    const logs = new FileTaskLogs({ dir });
    const invoke = task(logs, async () => {
      throw new Error('health check failed: 503');
    });
    // Act
    await expect(invoke('Deploy', 'test')).rejects.toThrow('health check failed');
    const page = await logs.read(RUN);
    // Assert
    expect(page.lines.at(-1)).toMatchObject({
      level: 'ERROR',
      message: 'task failed',
      fields: { errorMessage: 'health check failed: 503' },
    });
  });

  it('drops a state’s lines past its share, saying so once, and leaves the other states their room', () => {
    // Arrange
    const logs = new FileTaskLogs({ dir, maxBytesPerState: 600, maxBytesPerRun: 100_000 });
    const line = (stateName: string, i: number) => ({
      level: 'INFO',
      message: `line ${i} ${'x'.repeat(100)}`,
      timestamp: '2026-12-03T07:00:00.000Z',
      executionArn: RUN,
      stateName,
    });
    // Act
    for (let i = 0; i < 20; i++) logs.write(line('Build', i));
    logs.write(line('Deploy', 0));
    // Assert
    return logs.read(RUN).then((page) => {
      const build = page.lines.filter((l) => l.state === 'Build');
      expect(page.truncated).toBe(true);
      expect(build.length).toBeLessThan(10);
      expect(build.at(-1)!.message).toBe('later lines dropped');
      expect(build.filter((l) => l.message === 'later lines dropped')).toHaveLength(1);
      expect(page.lines.filter((l) => l.state === 'Deploy')).toHaveLength(1);
    });
  });

  it('stops writing a run past its total, counting what an earlier process wrote', async () => {
    // Arrange
    const record = { level: 'INFO', message: 'x'.repeat(200), executionArn: RUN, stateName: 'Build' };
    const first = new FileTaskLogs({ dir, maxBytesPerRun: 1000, maxBytesPerState: 100_000 });
    for (let i = 0; i < 3; i++) first.write(record);
    // Act: a restarted runtime
    const second = new FileTaskLogs({ dir, maxBytesPerRun: 1000, maxBytesPerState: 100_000 });
    for (let i = 0; i < 10; i++) second.write({ ...record, stateName: 'Deploy' });
    // Assert
    expect(statSync(join(dir, 'run-1.jsonl')).size).toBeLessThan(1400);
    expect((await second.read(RUN)).truncated).toBe(true);
  });

  it('returns no lines for a run that logged nothing, and ignores records without a run or state', async () => {
    // Arrange
    const logs = new FileTaskLogs({ dir });
    // Act
    logs.write({ level: 'INFO', message: 'outside any task' });
    // Assert
    await expect(logs.read(RUN)).resolves.toEqual({ lines: [], truncated: false });
  });

  it('refuses an execution ARN that would name a path outside its directory', async () => {
    // Arrange
    const logs = new FileTaskLogs({ dir });
    // Act / Assert
    await expect(logs.read('arn:aws:states:x:execution:sm:../../etc/passwd')).rejects.toThrow(
      /not an execution ARN/,
    );
    expect(() => new FileTaskLogs({ dir: '' })).toThrow(/needs the directory/);
  });
});
