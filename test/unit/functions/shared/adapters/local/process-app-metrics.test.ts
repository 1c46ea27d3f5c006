import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProcessAppMetrics } from '../../../../../../functions/shared/adapters/local/process-app-metrics.js';
import type { ProcessDeployer } from '../../../../../../functions/shared/adapters/local/process-deployer.js';
import { ProcessTrafficRouter } from '../../../../../../functions/shared/adapters/local/process-traffic-router.js';
import { prometheusValue } from '../../../../../../functions/shared/prometheus/sample-value.js';
import { deployAndSettle, type TrafficRouterHarness } from '../../ports/traffic-router.contract.js';
import { canaryWorld } from './canary-world.js';

const target = { pipeline: 'orders-service', environment: 'prod' };
const QUERY = 'db_query_duration_seconds{query="get_order"}';

describe('ProcessAppMetrics', () => {
  let w: Awaited<ReturnType<typeof canaryWorld>>;
  let deployer: ProcessDeployer;
  let metrics: ProcessAppMetrics;

  beforeEach(async () => {
    w = await canaryWorld();
    deployer = w.make();
    metrics = new ProcessAppMetrics((env, release) => deployer.appPort(env, release));
    const h = {
      deployer,
      ...target,
      advance: () => new Promise<void>((d) => setTimeout(d, 50)),
    } as unknown as TrafficRouterHarness;
    await deployAndSettle(h, await w.release('r1-aaaaaaa', 0.002), 'run-1', 'replace');
    // The canary's queries are 40 times slower, as a missing index would make them.
    await deployAndSettle(h, await w.release('r2-bbbbbbb', 0.08), 'run-2', 'canary');
    await new ProcessTrafficRouter(deployer).shift({ ...target, canaryVersion: 'r2-bbbbbbb', percent: 50 });
    const url = await deployer.url('prod');
    for (let i = 0; i < 20; i += 1) await (await fetch(`${url}/orders/${i}`)).text();
  });
  afterEach(async () => {
    await deployer.close();
    await w.cleanup();
  });

  it("scrapes each release's own process, so the canary's slower queries show against the baseline", async () => {
    // Arrange
    // Act
    const canary = prometheusValue(await metrics.scrape('prod', 'r2-bbbbbbb', '/metrics'), QUERY);
    const baseline = prometheusValue(await metrics.scrape('prod', 'r1-aaaaaaa', '/metrics'), QUERY);
    // Assert
    expect(canary).toMatchObject({ count: 10, series: 1 });
    expect(canary?.value).toBeCloseTo(0.08, 10);
    expect(baseline).toMatchObject({ count: 10, series: 1 });
    expect(baseline?.value).toBeCloseTo(0.002, 10);
    const served = prometheusValue(
      await metrics.scrape('prod', 'r2-bbbbbbb', '/metrics'),
      'app_requests_total',
    );
    expect(served?.value).toBe(10);
  });

  it('throws NotFound when the release does not run in the environment', async () => {
    // Arrange
    // Act
    const attempt = metrics.scrape('prod', 'r7-gone', '/metrics');
    // Assert
    await expect(attempt).rejects.toMatchObject({ name: 'Tollgate.NotFound' });
    await expect(attempt).rejects.toThrow(
      /release "r7-gone" is not running in environment "prod" \(running: r1-aaaaaaa, r2-bbbbbbb\)/,
    );
  });

  it('throws InvalidInput with the release and path when the page is not the text format', async () => {
    // Arrange
    // Act
    const attempt = metrics.scrape('prod', 'r2-bbbbbbb', '/garbage');
    // Assert
    await expect(attempt).rejects.toMatchObject({ name: 'Tollgate.InvalidInput' });
    await expect(attempt).rejects.toThrow(
      /^r2-bbbbbbb in prod \(GET \/garbage\): not the Prometheus text format/,
    );
  });

  it('throws InvalidInput before any request when the path does not start with a slash', async () => {
    // Arrange
    // Act
    const attempt = metrics.scrape('prod', 'r2-bbbbbbb', 'metrics');
    // Assert
    await expect(attempt).rejects.toThrow('metrics path must start with "/", got "metrics"');
  });
});
