import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DirLedger } from '../../../../functions/shared/adapters/local/dir-ledger.js';
import { ManualClock } from '../../../../functions/shared/clock.js';
import { parseConfig } from '../../../../functions/shared/config/index.js';
import type { TollgatePorts } from '../../../../functions/shared/ports/tollgate-ports.js';
import type { TrafficRouter, TrafficSplit } from '../../../../functions/shared/ports/traffic-router.js';
import { createHandler } from '../../../../functions/shift-traffic/handler.js';
import { shiftTraffic } from '../../../../functions/shift-traffic/shift-traffic.js';
import { validConfig } from '../../../support/config-fixtures.js';
import { ref } from '../deploy/scripted-deployer.js';

const arn = 'arn:aws:states:us-east-1:123456789012:execution:tollgate:run-1';

/** A router that keeps one environment's split in memory, as the port describes it. */
class SplitRouter implements TrafficRouter {
  current: TrafficSplit = { baseline: 'r1-aaaaaaa', canary: 'r2-bbbbbbb', canaryPercent: 0 };
  readonly calls: string[] = [];
  async shift(r: { canaryVersion: string; percent: number }) {
    this.calls.push(`shift ${r.canaryVersion} ${r.percent}`);
    this.current = { ...this.current, canaryPercent: r.percent };
    return this.current;
  }
  async abort(r: { canaryVersion: string; reason: string }) {
    this.calls.push(`abort ${r.canaryVersion} ${r.reason}`);
    this.current = { baseline: this.current.baseline, canaryPercent: 0 };
    return this.current;
  }
  async complete(r: { canaryVersion: string }) {
    this.calls.push(`complete ${r.canaryVersion}`);
    this.current = { baseline: r.canaryVersion, canaryPercent: 0 };
    return this.current;
  }
  async split() {
    return this.current;
  }
}

function harness(
  strategy: unknown = {
    type: 'linear',
    increment: 25,
    analysis: [{ source: 'requests', metric: 'error-rate', max: 0.05 }],
  },
) {
  const raw = validConfig();
  raw.environments[1] = { ...raw.environments[1]!, strategy: strategy as never };
  const ports = {
    config: parseConfig(raw),
    traffic: new SplitRouter(),
    ledger: new DirLedger(mkdtempSync(join(tmpdir(), 'tollgate-shift-ledger-'))),
    clock: new ManualClock('2026-03-01T10:00:00.000Z'),
  };
  return ports;
}

const base = {
  executionArn: arn,
  pipeline: 'orders-service',
  environment: 'prod',
  release: ref('r2-bbbbbbb'),
};

describe('shiftTraffic', () => {
  it("shifts the step's share of the strategy to the canary and records the move with its time", async () => {
    // Arrange
    const ports = harness();
    // Act
    const out = await shiftTraffic({ ...base, stateName: 'ShiftTraffic', action: 'shift', step: 2 }, ports);
    // Assert
    expect(ports.traffic.calls).toEqual(['shift r2-bbbbbbb 75']);
    expect(out).toMatchObject({ action: 'shift', step: 2, percent: 75, at: '2026-03-01T10:00:00.000Z' });
    expect(await ports.ledger.query({ kinds: ['canary-traffic'] })).toMatchObject([
      { environment: 'prod', data: { action: 'shift', step: 2, percent: 75 } },
    ]);
  });

  it('puts all traffic back on the baseline with the reason, and completes onto the canary', async () => {
    // Arrange
    const ports = harness();
    // Act
    const aborted = await shiftTraffic(
      { ...base, stateName: 'AbortCanary', action: 'abort', step: 0, reason: 'error-rate: 0.3 > max 0.05' },
      ports,
    );
    const completed = await shiftTraffic({ ...base, stateName: 'CompleteCanary', action: 'complete' }, ports);
    // Assert
    expect(ports.traffic.calls).toEqual([
      'abort r2-bbbbbbb error-rate: 0.3 > max 0.05',
      'complete r2-bbbbbbb',
    ]);
    expect(aborted).toMatchObject({ percent: 0, split: { baseline: 'r1-aaaaaaa', canaryPercent: 0 } });
    expect(completed).toMatchObject({ percent: 100, step: null, split: { baseline: 'r2-bbbbbbb' } });
  });

  it('records each step once when the same step is re-invoked, and each step of the loop apart', async () => {
    // Arrange
    const ports = harness();
    const shift = (step: number) =>
      shiftTraffic({ ...base, stateName: 'ShiftTraffic', action: 'shift', step }, ports);
    // Act
    await shift(0);
    await shift(0);
    await shift(1);
    // Assert
    expect((await ports.ledger.query({ kinds: ['canary-traffic'] })).map((e) => e.data.percent)).toEqual([
      25, 50,
    ]);
  });

  it('refuses a step past the strategy and an environment that deploys all at once, moving nothing', async () => {
    // Arrange
    const ports = harness();
    const allAtOnce = harness({ type: 'all-at-once' });
    // Act / Assert
    await expect(shiftTraffic({ ...base, stateName: 'S', action: 'shift', step: 3 }, ports)).rejects.toThrow(
      'step 3 is past the last of 3 steps of environment "prod"',
    );
    await expect(
      shiftTraffic({ ...base, stateName: 'S', action: 'shift', step: 0 }, allAtOnce),
    ).rejects.toThrow('deploys all at once');
    expect(ports.traffic.calls).toEqual([]);
  });

  it('rejects an abort without a reason through the handler', async () => {
    // Arrange
    const ports = harness();
    const handler = createHandler(async () => ports as unknown as TollgatePorts);
    // Act / Assert
    await expect(handler({ ...base, stateName: 'AbortCanary', action: 'abort', step: 0 })).rejects.toThrow(
      /reason: abort needs a reason/,
    );
    expect(ports.traffic.calls).toEqual([]);
  });
});
