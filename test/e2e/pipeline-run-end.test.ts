import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { GuardState } from '../../functions/concurrency-guard/guard-state.js';
import { createLocalPipeline, type LocalPipeline } from '../support/local-pipeline.js';
import { untilPending } from '../support/pending-approval.js';

let pipeline: LocalPipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

const holderOf = async (p: LocalPipeline) =>
  (await p.runner.ports.locks.get<GuardState>(`guard-${p.config.name}`))?.value.holder?.executionArn;

/** Drives the run (real I/O; time skips only Wait states) until it waits at an approval gate. */
/** Waits on the real build process to have started its background child (it writes the file). */
async function backgroundPid(file: string): Promise<number> {
  for (let i = 0; i < 1_000 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 20));
  return Number(readFileSync(file, 'utf8'));
}

// A killed child whose parent died may linger as a zombie until reaped: that is dead.
const alive = (pid: number) => {
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return stat !== '' && !/^\d+ \(.*\) [ZX]/.test(stat);
};

/** A build that starts a child in the background and then hangs. */
function hangingBuild(timeout = '30m') {
  const pids = join(mkdtempSync(join(tmpdir(), 'tollgate-pids-')), 'pids');
  return { pids, build: { command: `sleep 300 & echo $! > ${pids}; sleep 300`, timeout } };
}

describe('a run that ends early on the local runtime', () => {
  it('releases the lock at once when a run waiting at its gate is stopped, so the next commit goes ahead', async () => {
    // Arrange
    pipeline = await createLocalPipeline({ approval: true });
    const first = await pipeline.start(pipeline.repo.commit('first', { 'A.md': 'a\n' }));
    await untilPending(pipeline, { executionArn: first });
    const heldBefore = await holderOf(pipeline);
    // Act
    await pipeline.call('StopExecution', { executionArn: first, cause: 'stopped by hand' });
    await pipeline.runEnds.settled();
    const heldAfter = await holderOf(pipeline);
    const second = await pipeline.start(pipeline.repo.commit('second', { 'A.md': 'b\n' }));
    const pending = (await untilPending(pipeline, { executionArn: second }))[0];
    // Assert
    expect(heldBefore).toBe(first);
    expect(heldAfter).toBeUndefined();
    expect(pending.environment).toBe('prod');
  });

  it('kills the build with its whole process tree and frees the lock when the run is stopped mid-build', async () => {
    // Arrange
    const { pids, build } = hangingBuild();
    pipeline = await createLocalPipeline({ build });
    const run = await pipeline.start(pipeline.repo.commit('hangs', { 'B.md': 'b\n' }));
    const background = await backgroundPid(pids);
    // Act
    await pipeline.call('StopExecution', { executionArn: run });
    await pipeline.runEnds.settled();
    // Assert
    expect(alive(background)).toBe(false);
    expect(await holderOf(pipeline)).toBeUndefined();
  });

  it('fails a build that runs past build.timeout, kills its process tree and releases the lock', async () => {
    // Arrange
    const { pids, build } = hangingBuild('10m');
    pipeline = await createLocalPipeline({ build });
    const run = await pipeline.start(pipeline.repo.commit('hangs', { 'C.md': 'c\n' }));
    const background = await backgroundPid(pids);
    // Act
    pipeline.buildTimers.advanceTo(pipeline.buildTimers.now() + 601_000);
    const result = await pipeline.finish(run);
    await pipeline.runEnds.settled();
    // Assert
    expect(result).toMatchObject({ status: 'FAILED', error: 'Tollgate.BuildFailed' });
    expect(JSON.parse(result.cause!)).toMatchObject({ stage: 'build' });
    expect(result.cause).toMatch(/longer than build.timeout \(600s\)/);
    expect(alive(background)).toBe(false);
    expect(await holderOf(pipeline)).toBeUndefined();
  });
});
