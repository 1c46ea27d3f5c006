import { afterAll, describe, expect, it } from 'vitest';
import { LocalSnapshotProvider } from '../../../../../../functions/shared/adapters/local/local-snapshot-provider.js';
import { VolumeHost } from '../../../../../../functions/shared/adapters/local/pglite-volumes.js';
import { holdWhileRunning } from '../../../../../../functions/shared/adapters/local/poll-hold.js';
import { tempDir } from '../../../../../support/pglite-server.js';

/** A sleeper that records what it was asked to wait and yields once, as a test clock's does. */
function recordingSleeper(onSleep: (count: number) => void = () => undefined) {
  const sleeps: number[] = [];
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    onSleep(sleeps.length);
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { sleeps, sleep };
}

describe('holdWhileRunning', () => {
  it('returns without waiting when the work has already ended', async () => {
    // Arrange
    const { sleeps, sleep } = recordingSleeper();
    // Act
    await holdWhileRunning(() => false, sleep, 1_000);
    // Assert
    expect(sleeps).toEqual([]);
  });

  it('returns at the first look after the work ends', async () => {
    // Arrange: the work ends during the third wait
    let running = true;
    const { sleeps, sleep } = recordingSleeper((n) => {
      if (n === 3) running = false;
    });
    // Act
    await holdWhileRunning(() => running, sleep, 1_000);
    // Assert
    expect(sleeps).toHaveLength(3);
  });

  it('gives up after the hold with the work still running, having waited no longer than the hold', async () => {
    // Arrange
    const { sleeps, sleep } = recordingSleeper();
    // Act
    await holdWhileRunning(() => true, sleep, 100);
    // Assert
    expect(sleeps.length).toBeGreaterThan(1);
    expect(sleeps.reduce((a, b) => a + b, 0)).toBe(100);
  });
});

describe('LocalSnapshotProvider polls', () => {
  const dir = tempDir('tollgate-poll-hold-');
  const host = new VolumeHost({ dataDir: dir.path });
  const labels = {
    pipeline: 'orders',
    run: 'arn:aws:states:local:0:execution:p:hold',
    ttl: '2099-01-01T00:00:00.000Z',
  };
  afterAll(async () => {
    await host.closeAll();
    dir.remove();
  });

  it('answer the first poll after start with the snapshot when it ends within the hold, and RUNNING without one', async () => {
    // Arrange: a served prod volume, as the runtime has
    await host.open('prod', 0);
    const held = new LocalSnapshotProvider({ dataDir: dir.path, host, pollHoldMs: 20_000 });
    const plain = new LocalSnapshotProvider({ dataDir: dir.path, host, pollHoldMs: 0 });
    const yielding = recordingSleeper();
    const short = new LocalSnapshotProvider({
      dataDir: dir.path,
      host,
      sleep: yielding.sleep,
      pollHoldMs: 40,
    });
    const start = (p: LocalSnapshotProvider, key: string) =>
      p.startSnapshot({ idempotencyKey: key, source: ['prod'], labels });
    // Act
    const first = await held.poll(await start(held, 'hold/held'));
    const unheld = await plain.poll(await start(plain, 'hold/plain'));
    await plain.idle();
    const cut = await short.poll(await start(short, 'hold/short'));
    await short.idle();
    // Assert
    expect(first.state).toBe('SUCCEEDED');
    expect(unheld.state).toBe('RUNNING');
    // The hold ran out (two looks through the sleeper) before the copy ended: RUNNING, as before.
    expect(cut.state).toBe('RUNNING');
    expect(yielding.sleeps).toEqual([20, 20]);
  });
});
