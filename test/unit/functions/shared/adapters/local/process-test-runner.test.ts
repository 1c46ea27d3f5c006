import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirArtifactStore } from '../../../../../../functions/shared/adapters/local/dir-artifact-store.js';
import { ProcessTestRunner } from '../../../../../../functions/shared/adapters/local/process-test-runner.js';
import { ManualClock } from '../../../../../../functions/shared/clock.js';
import { parseConfig } from '../../../../../../functions/shared/config/index.js';
import type { TestRunStatus } from '../../../../../../functions/shared/ports/test-runner.js';
import type { ReleaseRef } from '../../../../../../functions/shared/release.js';

// What the release's "suite" does: prints the variables a test stage gets, writes its reports.
const SUITE = `
import { mkdirSync, writeFileSync } from 'node:fs';
mkdirSync('reports', { recursive: true });
writeFileSync('reports/a.xml', '<testsuite name="a"><testcase name="one"/></testsuite>');
writeFileSync('reports/b.xml', '<testsuite name="b"><testcase name="two"/></testsuite>');
writeFileSync('reports/skip.txt', 'not a report');
writeFileSync('reports/perf.json', JSON.stringify({ p95: 42 }));
for (const k of ['TOLLGATE_URL', 'TOLLGATE_RELEASE', 'TOLLGATE_COMMIT', 'TOLLGATE_ENV', 'EXTRA']) console.log(k + '=' + process.env[k]);
process.exit(Number(process.env.EXIT_CODE ?? 0));
`;

const TESTS = [
  {
    name: 'suite',
    run: 'node suite.mjs',
    timeout: '1m',
    junit: 'reports/*.xml',
    env: { EXTRA: 'yes', EXIT_CODE: '3' },
    thresholds: [{ metric: 'p95', max: 100, file: 'reports/perf.json' }],
  },
  { name: 'hangs', run: 'sleep 30', timeout: '5m' },
];

describe('ProcessTestRunner', () => {
  let dir = '';
  let release: ReleaseRef;
  let store: DirArtifactStore;
  const clock = new ManualClock();

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'test-runner-'));
    store = new DirArtifactStore(join(dir, 'artifacts'));
    const p = pack();
    p.entry({ name: 'suite.mjs' }, SUITE);
    p.finalize();
    const chunks: Buffer[] = [];
    for await (const chunk of p) chunks.push(chunk as Buffer);
    const { key, digest } = await store.ingest(Readable.from([gzipSync(Buffer.concat(chunks))]));
    release = { version: 'v7', digest, artifactKey: key, commit: 'c'.repeat(40) };
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function runner() {
    const config = parseConfig({
      name: 'orders-service',
      source: { repository: 'orders-service' },
      build: { command: 'true', artifact: 'dist/release.tgz' },
      environments: [
        { name: 'test', deploy: { type: 'process', command: 'node server.mjs', port: 4799 }, tests: TESTS },
      ],
    });
    return {
      config,
      runner: new ProcessTestRunner({
        config,
        dataDir: join(dir, '.tollgate'),
        artifacts: store,
        clock,
        stopGraceMs: 200,
        pollHoldMs: 20,
      }),
    };
  }

  async function untilFinished(
    r: ProcessTestRunner,
    runId: string,
    onRunning: (status: Extract<TestRunStatus, { state: 'RUNNING' }>) => void = () => {},
  ): Promise<Extract<TestRunStatus, { state: 'FINISHED' }>> {
    for (let i = 0; i < 500; i += 1) {
      const status = await r.poll(runId);
      if (status.state === 'FINISHED') return status;
      onRunning(status);
    }
    throw new Error('the run never finished');
  }

  it("runs each command in the release's tree with the release's variables, stops one at its clock deadline, and collects its reports", async () => {
    // Arrange
    const { config, runner: r } = runner();
    const env = config.environments[0]!;

    // Act: once the first command is done, time moves past the second one's 5 minute timeout while it sleeps.
    const { runId } = await r.start({
      pipeline: 'orders-service',
      environment: 'test',
      release,
      baseUrl: 'http://127.0.0.1:4799',
      tests: env.tests,
      idempotencyKey: 'arn#RunTests#test',
    });
    const again = await r.start({
      pipeline: 'orders-service',
      environment: 'test',
      release,
      baseUrl: 'http://127.0.0.1:4799',
      tests: env.tests,
      idempotencyKey: 'arn#RunTests#test',
    });
    const status = await untilFinished(r, runId, (running) => {
      if (running.done === 1) clock.advance(60_000);
    });

    // Assert
    expect(again.runId).toBe(runId);
    const [suite, hangs] = status.outcomes;
    expect(suite).toMatchObject({ name: 'suite', exitCode: 3, timedOut: false });
    expect(suite!.outputTail).toEqual([
      'TOLLGATE_URL=http://127.0.0.1:4799',
      'TOLLGATE_RELEASE=v7',
      `TOLLGATE_COMMIT=${'c'.repeat(40)}`,
      'TOLLGATE_ENV=test',
      'EXTRA=yes',
    ]);
    expect(suite!.junit.map((f) => f.path)).toEqual(['reports/a.xml', 'reports/b.xml']);
    expect(suite!.summaries['reports/perf.json']?.content).toBe('{"p95":42}');
    expect(hangs).toMatchObject({ name: 'hangs', exitCode: null, timedOut: true });
    expect(hangs!.durationMs).toBeGreaterThanOrEqual(300_000);
    // Every pid it recorded is forgotten once its command ended (.tmp holds the records' temp files).
    expect(
      (await readdir(join(dir, '.tollgate', 'tests', 'test', 'apps'))).filter((f) => f !== '.tmp'),
    ).toEqual([]);
  });

  it('answers a poll after a restart from the result it saved, and refuses an id that is not its own', async () => {
    // Arrange
    const first = runner();
    const { runId } = await first.runner.start({
      pipeline: 'orders-service',
      environment: 'test',
      release,
      baseUrl: 'http://127.0.0.1:4799',
      tests: first.config.environments[0]!.tests.slice(0, 1),
      idempotencyKey: 'arn#RunTests#test',
    });
    const finished = await untilFinished(first.runner, runId);

    // Act
    const restarted = runner().runner;

    // Assert
    expect(await restarted.poll(runId)).toEqual(finished);
    await expect(restarted.poll('local:test:0123456789abcdef')).rejects.toThrow(/not a local test run id/);
    await expect(restarted.poll('tests:test:0123456789abcdef')).rejects.toThrow(/no test run/);
  });
});
