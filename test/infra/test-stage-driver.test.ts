import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_STAGE_DRIVER_PATH } from '../../infra/constructs/test-stage-project.js';

/** Alive and not a zombie waiting for a reaper (an orphan is reaped a moment after it died). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * The driver a test-stage build runs (infra/test-stages/run-test-stages.mjs), run here for real:
 * node, bash and real process groups; only `aws` is a script on PATH that copies the out dir where
 * the test can read it, as `aws s3 cp --recursive` would copy it to the bucket.
 */
describe('run-test-stages.mjs', () => {
  let work: string;
  let tree: string;
  let uploaded: string;

  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'tollgate-driver-'));
    tree = join(work, 'tree');
    uploaded = join(work, 'bucket');
    mkdirSync(join(work, 'bin'), { recursive: true });
    mkdirSync(tree);
    mkdirSync(uploaded);
    writeFileSync(
      join(work, 'bin', 'aws'),
      `#!/bin/sh\n# aws s3 cp --recursive --only-show-errors <out> <uri>\necho "$6" >> "${uploaded}/uris"\ncp -R "$5/." "${uploaded}/"\n`,
    );
    chmodSync(join(work, 'bin', 'aws'), 0o755);
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  const run = (tests: unknown, env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [TEST_STAGE_DRIVER_PATH, tree, join(work, 'out'), 's3://bucket/tests/u/'], {
      env: {
        PATH: `${join(work, 'bin')}:${process.env.PATH}`,
        TOLLGATE_URL: 'http://orders-test.internal',
        TOLLGATE_TESTS: typeof tests === 'string' ? tests : JSON.stringify(tests),
        ...env,
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
  const outcome = (i: number) => JSON.parse(readFileSync(join(uploaded, 'outcomes', `${i}.json`), 'utf8'));

  it('runs each command in the tree with its env, collects its reports and uploads after each test', () => {
    // Arrange
    const tests = [
      {
        name: 'integration',
        run: 'mkdir -p reports/sub && echo "<testsuites/>" > reports/a.xml && echo x > reports/sub/ignored.xml && echo "url=$TOLLGATE_URL mode=$MODE"',
        timeoutSeconds: 30,
        env: { MODE: 'ci' },
        reportDirs: ['reports'],
        files: [],
      },
      {
        name: 'perf',
        run: 'mkdir -p reports && echo \'{"p95": 120}\' > reports/perf.json && echo failing >&2 && exit 3',
        timeoutSeconds: 30,
        env: {},
        reportDirs: [],
        files: ['reports/perf.json', 'reports/missing.json'],
      },
    ];

    // Act
    const result = run(tests);

    // Assert
    expect(result.status, result.stderr).toBe(0);
    expect(outcome(0)).toMatchObject({
      name: 'integration',
      exitCode: 0,
      timedOut: false,
      outputTail: ['url=http://orders-test.internal mode=ci'],
      collected: ['reports/a.xml'],
    });
    expect(readFileSync(join(uploaded, 'tree', '0', 'reports', 'a.xml'), 'utf8')).toBe('<testsuites/>\n');
    expect(outcome(1)).toMatchObject({
      name: 'perf',
      exitCode: 3,
      outputTail: ['failing'],
      collected: ['reports/perf.json'],
    });
    expect(readFileSync(join(uploaded, 'uris'), 'utf8').trim().split('\n')).toEqual([
      's3://bucket/tests/u/',
      's3://bucket/tests/u/',
    ]);
  });

  it('stops a command at its timeout with everything it started, and records it as timed out', () => {
    // Arrange
    const pidFile = join(work, 'child.pid');
    const tests = [
      {
        name: 'slow',
        run: `sleep 60 & echo $! > ${pidFile}; wait`,
        timeoutSeconds: 1,
        env: {},
        reportDirs: [],
        files: [],
      },
    ];

    // Act
    const result = run(tests);

    // Assert
    expect(result.status, result.stderr).toBe(0);
    expect(outcome(0)).toMatchObject({ name: 'slow', exitCode: null, timedOut: true });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(running(pid), `sleep ${pid} outlived its test stage`).toBe(false);
  });

  it("gives the commands DATABASE_URL from the environment's secret, never the secret itself", () => {
    // Arrange
    const secret = JSON.stringify({
      host: 'orders-test.cluster-x.eu-west-1.rds.amazonaws.com',
      port: 5432,
      username: 'app',
      password: 'p@ss word',
      dbname: 'orders',
    });
    const tests = [
      {
        name: 'db',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansions with a default
        run: 'echo "$DATABASE_URL|${TOLLGATE_DATABASE_SECRET:-none}|${TOLLGATE_TESTS:-none}"',
        timeoutSeconds: 30,
        env: {},
        reportDirs: [],
        files: [],
      },
    ];

    // Act
    const result = run(tests, { TOLLGATE_DATABASE_SECRET: secret });

    // Assert
    expect(result.status, result.stderr).toBe(0);
    expect(outcome(0).outputTail).toEqual([
      'postgres://app:p%40ss%20word@orders-test.cluster-x.eu-west-1.rds.amazonaws.com:5432/orders?sslmode=verify-full|none|none',
    ]);
  });

  it.each([
    ['not JSON', '{', 'run-test-stages: TOLLGATE_TESTS is not JSON'],
    ['an empty list', [], 'run-test-stages: TOLLGATE_TESTS must be a non-empty list'],
    [
      'a test without a timeout',
      [{ name: 'x', run: 'true', reportDirs: [], files: [] }],
      'run-test-stages: TOLLGATE_TESTS must be a non-empty list',
    ],
  ])('refuses TOLLGATE_TESTS that is %s in one line and runs nothing', (_, tests, message) => {
    // Act
    const result = run(tests);

    // Assert
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(message);
    expect(existsSync(join(uploaded, 'uris'))).toBe(false);
  });

  it('refuses a database secret without a host in one line', () => {
    // Act
    const result = run([{ name: 'db', run: 'true', timeoutSeconds: 5, env: {}, reportDirs: [], files: [] }], {
      TOLLGATE_DATABASE_SECRET: JSON.stringify({ username: 'app' }),
    });

    // Assert
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe('run-test-stages: the database secret lacks host or username');
  });
});
