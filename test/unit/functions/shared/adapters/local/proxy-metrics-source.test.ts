import { describe, expect, it } from 'vitest';
import {
  ProxyMetricsSource,
  RequestLog,
} from '../../../../../../functions/shared/adapters/local/proxy-metrics-source.js';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));

describe('ProxyMetricsSource', () => {
  const source = (log: RequestLog) =>
    new ProxyMetricsSource((env) => {
      if (env !== 'test') throw new Error(`environment "${env}" is not in the config`);
      return log;
    });

  it('returns counts, 5xx errors and the nearest-rank p50/p95/p99 for requests inside the window', async () => {
    // Arrange
    const log = new RequestLog();
    for (let i = 1; i <= 20; i += 1)
      log.record({ at: at(10).getTime(), status: i <= 3 ? 502 : 200, latencyMs: i });
    log.record({ at: at(5).getTime(), status: 500, latencyMs: 999 }); // before the window
    log.record({ at: at(30).getTime(), status: 500, latencyMs: 999 }); // at `until`: excluded
    // Act
    const window = await source(log).read('test', at(6), at(30));
    // Assert
    expect(window).toEqual({ requests: 20, errors: 3, p50LatencyMs: 10, p95LatencyMs: 19, p99LatencyMs: 20 });
  });

  it('counts only the given release when a release is named', async () => {
    // Arrange
    const log = new RequestLog();
    for (let i = 1; i <= 10; i += 1)
      log.record({ at: at(10).getTime(), status: 200, latencyMs: i, release: 'v1' });
    for (let i = 1; i <= 4; i += 1)
      log.record({ at: at(10).getTime(), status: i === 1 ? 500 : 200, latencyMs: 100 * i, release: 'v2' });
    log.record({ at: at(10).getTime(), status: 503, latencyMs: 0 }); // no release answered
    // Act
    const canary = await source(log).read('test', at(0), at(60), 'v2');
    const baseline = await source(log).read('test', at(0), at(60), 'v1');
    const all = await source(log).read('test', at(0), at(60));
    // Assert
    expect(canary).toEqual({
      requests: 4,
      errors: 1,
      p50LatencyMs: 200,
      p95LatencyMs: 400,
      p99LatencyMs: 400,
    });
    expect(baseline).toMatchObject({ requests: 10, errors: 0, p50LatencyMs: 5 });
    expect(all).toMatchObject({ requests: 15, errors: 2 });
  });

  it('throws and reads nothing when the release is an empty string', async () => {
    // Arrange
    const log = new RequestLog();
    // Act
    const attempt = source(log).read('test', at(0), at(60), ' ');
    // Assert
    await expect(attempt).rejects.toThrow('metrics for a release need its version; got an empty string');
  });

  it('returns zero requests and no p95 when nothing was served', async () => {
    // Arrange
    const log = new RequestLog();
    // Act
    const window = await source(log).read('test', at(0), at(60));
    // Assert
    expect(window).toEqual({ requests: 0, errors: 0 });
  });

  it('keeps only the newest samples when the log is over capacity', async () => {
    // Arrange
    const log = new RequestLog(2);
    // Act
    for (const s of [1, 2, 3]) log.record({ at: at(s).getTime(), status: 200, latencyMs: s });
    // Assert
    expect(await source(log).read('test', at(0), at(60))).toMatchObject({ requests: 2 });
  });

  it('keeps the newest samples in order once the ring has wrapped several times', async () => {
    // Arrange
    const log = new RequestLog(3);
    // Act
    for (let s = 1; s <= 8; s += 1)
      log.record({
        at: at(s).getTime(),
        status: s === 7 ? 500 : 200,
        latencyMs: 10 * s,
        release: s % 2 ? 'v1' : 'v2',
      });
    // Assert
    expect(await source(log).read('test', at(0), at(60))).toEqual({
      requests: 3,
      errors: 1,
      p50LatencyMs: 70,
      p95LatencyMs: 80,
      p99LatencyMs: 80,
    });
    expect(await source(log).read('test', at(7), at(60), 'v2')).toMatchObject({
      requests: 1,
      p50LatencyMs: 80,
    });
    expect(await source(log).read('test', at(0), at(6))).toEqual({ requests: 0, errors: 0 });
  });

  it('throws when the window ends before it starts', async () => {
    // Arrange
    const log = new RequestLog();
    // Act
    const attempt = source(log).read('test', at(10), at(5));
    // Assert
    await expect(attempt).rejects.toThrow(/^metrics window ends \(.+\) before it starts \(.+\)$/);
  });

  it('throws when a window date is invalid', async () => {
    // Arrange
    const log = new RequestLog();
    // Act
    const attempt = source(log).read('test', new Date('nope'), at(5));
    // Assert
    await expect(attempt).rejects.toThrow('metrics window needs valid since/until dates');
  });

  it('throws when the environment is unknown', async () => {
    // Arrange
    const log = new RequestLog();
    // Act
    const attempt = source(log).read('nowhere', at(0), at(5));
    // Assert
    await expect(attempt).rejects.toThrow('environment "nowhere" is not in the config');
  });

  it('throws when the capacity is not a positive integer', () => {
    // Arrange
    // Act
    const build = () => new RequestLog(0);
    // Assert
    expect(build).toThrow('RequestLog capacity must be a positive integer, got 0');
  });
});
