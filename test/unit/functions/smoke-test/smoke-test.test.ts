import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../functions/shared/clock.js';
import { parseConfig } from '../../../../functions/shared/config/index.js';
import type { TollgatePorts } from '../../../../functions/shared/ports/tollgate-ports.js';
import { createHandler } from '../../../../functions/smoke-test/handler.js';
import { environmentUrl, runSmokeTests } from '../../../../functions/smoke-test/smoke-test.js';
import { validConfig } from '../../../support/config-fixtures.js';

describe('runSmokeTests', () => {
  let server: Server;
  let port: number;
  const hits = new Map<string, number>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = req.url ?? '/';
      hits.set(path, (hits.get(path) ?? 0) + 1);
      if (path === '/health') return res.end('{"status":"ok"}');
      if (path === '/broken') {
        res.writeHead(500);
        return res.end('x'.repeat(500));
      }
      if (path === '/flaky' && (hits.get(path) ?? 0) < 3) {
        res.writeHead(503);
        return res.end('warming up');
      }
      if (path === '/flaky') return res.end('ready');
      if (path === '/slow') return; // never answers
      res.writeHead(404);
      res.end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  });

  const setup = (smokeTests: unknown[]) => {
    const config = parseConfig(
      validConfig({
        environments: [
          {
            name: 'test',
            url: `http://127.0.0.1:${port}/`,
            deploy: { type: 'process', command: 'node x', port: 4701 },
          },
        ],
        smokeTests: smokeTests as never,
      }),
    );
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(ms);
    };
    return { config, waits, sleep, clock: new ManualClock() };
  };

  it('passes with evidence for each check when every check answers as expected', async () => {
    // Arrange
    const { config, sleep, clock, waits } = setup([
      { name: 'health', path: '/health', expectBody: '"ok"' },
      { name: 'health-regex', path: '/health', expectBody: '/status"\\s*:\\s*"OK/i' },
    ]);
    // Act
    const result = await runSmokeTests(
      { pipeline: 'orders-service', environment: 'test' },
      { config, sleep, clock },
    );
    // Assert
    expect(result.passed).toBe(true);
    expect(result.baseUrl).toBe(`http://127.0.0.1:${port}`);
    expect(result.checks[0]).toEqual({
      name: 'health',
      url: `http://127.0.0.1:${port}/health`,
      method: 'GET',
      status: 200,
      ok: true,
      attempts: 1,
      durationMs: 0,
      bodyExcerpt: '{"status":"ok"}',
    });
    expect(result.checks[1].ok).toBe(true);
    expect(waits).toEqual([]);
  });

  it('retries with growing waits through the sleeper and passes when a check recovers', async () => {
    // Arrange
    const { config, sleep, clock, waits } = setup([{ name: 'flaky', path: '/flaky', retries: 3 }]);
    // Act
    const result = await runSmokeTests(
      { pipeline: 'orders-service', environment: 'test' },
      { config, sleep, clock, retryDelayMs: 100 },
    );
    // Assert
    expect(result.passed).toBe(true);
    expect(result.checks[0]).toMatchObject({ ok: true, attempts: 3, status: 200, bodyExcerpt: 'ready' });
    expect(waits).toEqual([100, 200]);
  });

  it('fails with the last status, an error and a truncated body when a check keeps failing', async () => {
    // Arrange
    const { config, sleep, clock } = setup([
      { name: 'health', path: '/health' },
      { name: 'broken', path: '/broken', retries: 1 },
    ]);
    // Act
    const result = await runSmokeTests(
      { pipeline: 'orders-service', environment: 'test' },
      { config, sleep, clock },
    );
    // Assert
    expect(result.passed).toBe(false);
    expect(result.checks[1]).toMatchObject({
      ok: false,
      status: 500,
      attempts: 2,
      error: 'expected status 200, got 500',
    });
    expect(result.checks[1].bodyExcerpt).toBe(`${'x'.repeat(200)}…`);
  });

  it('fails a check whose body does not match expectBody', async () => {
    // Arrange
    const { config, sleep, clock } = setup([
      { name: 'health', path: '/health', expectBody: 'degraded', retries: 0 },
    ]);
    // Act
    const result = await runSmokeTests(
      { pipeline: 'orders-service', environment: 'test' },
      { config, sleep, clock },
    );
    // Assert
    expect(result.checks[0]).toMatchObject({
      ok: false,
      status: 200,
      error: 'body does not match "degraded"',
    });
  });

  it('fails a check with a timeout error when the server does not answer in time', async () => {
    // Arrange
    const { config, sleep, clock } = setup([{ name: 'slow', path: '/slow', timeout: '1s', retries: 0 }]);
    // Act
    const result = await runSmokeTests(
      { pipeline: 'orders-service', environment: 'test' },
      { config, sleep, clock },
    );
    // Assert
    expect(result.checks[0]).toMatchObject({ ok: false, attempts: 1, error: 'no response within 1000 ms' });
    expect(result.checks[0].status).toBeUndefined();
  });

  it('fails a check with the connection error when nothing listens', async () => {
    // Arrange
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    const url = `http://127.0.0.1:${closedPort}/health`;
    const { config, sleep, clock } = setup([{ name: 'elsewhere', url, retries: 0 }]);
    // Act
    const result = await runSmokeTests(
      { pipeline: 'orders-service', environment: 'test' },
      { config, sleep, clock },
    );
    // Assert
    expect(result.checks[0]).toMatchObject({ ok: false, url, error: 'fetch failed: ECONNREFUSED' });
  });

  it('throws Tollgate.SmokeTestFailed through the handler with a summary and the evidence JSON', async () => {
    // Arrange
    const { config, sleep, clock } = setup([{ name: 'broken', path: '/broken', retries: 0 }]);
    const handler = createHandler(async () => ({ config, clock }) as unknown as TollgatePorts, sleep);
    // Act
    const attempt = handler({
      executionArn: 'arn:x',
      stateName: 'SmokeTest',
      pipeline: 'orders-service',
      environment: 'test',
    });
    // Assert
    await expect(attempt).rejects.toMatchObject({ name: 'Tollgate.SmokeTestFailed' });
    const error = (await attempt.catch((e: Error) => e)) as Error;
    expect(error.message).toMatch(
      /^1 of 1 smoke test\(s\) failed in test: broken \(GET http:\/\/127\.0\.0\.1:\d+\/broken: expected status 200, got 500 after 1 attempt\(s\)\) \| evidence: \{/,
    );
    expect(error.message).not.toContain('\n');
    const evidence = JSON.parse(error.message.split(' | evidence: ')[1]);
    expect(evidence.checks[0]).toMatchObject({ name: 'broken', status: 500, ok: false });
  });

  it('returns the result through the handler when every check passes', async () => {
    // Arrange
    const { config, sleep, clock } = setup([{ name: 'health', path: '/health' }]);
    const handler = createHandler(async () => ({ config, clock }) as unknown as TollgatePorts, sleep);
    // Act
    const result = await handler({
      executionArn: 'arn:x',
      stateName: 'SmokeTest',
      pipeline: 'orders-service',
      environment: 'test',
    });
    // Assert
    expect(result).toMatchObject({ passed: true, environment: 'test' });
  });

  it('throws InvalidInput and requests nothing when the environment is not configured', async () => {
    // Arrange
    const { config, sleep, clock } = setup([{ name: 'health', path: '/health' }]);
    const before = hits.get('/health') ?? 0;
    // Act
    const attempt = runSmokeTests(
      { pipeline: 'orders-service', environment: 'qa' },
      { config, sleep, clock },
    );
    // Assert
    await expect(attempt).rejects.toMatchObject({ name: 'Tollgate.InvalidInput' });
    expect(hits.get('/health') ?? 0).toBe(before);
  });
});

describe('environmentUrl', () => {
  it('returns the loopback proxy address when a process environment has no url', () => {
    // Arrange
    const env = parseConfig(validConfig()).environments[0];
    // Act
    const url = environmentUrl(env);
    // Assert
    expect(url).toBe('http://127.0.0.1:4701');
  });

  it('throws a config error when an ECS environment has no url', () => {
    // Arrange
    const config = parseConfig(
      validConfig({
        environments: [
          { name: 'prod', deploy: { type: 'ecs', cluster: 'c', service: 's', containerName: 'app' } },
        ],
      }),
    );
    // Act
    const attempt = () => environmentUrl(config.environments[0]);
    // Assert
    expect(attempt).toThrow(
      'environment "prod" has no url; set environments[].url so smoke tests can reach it',
    );
  });
});
