import { randomUUID } from 'node:crypto';
import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CodeBuildTestRunner } from '../../../../../../functions/shared/adapters/aws/codebuild-test-runner.js';
import { parseConfig } from '../../../../../../functions/shared/config/index.js';
import { InvalidInputError, NotFoundError } from '../../../../../../functions/shared/errors.js';
import type { TestRunRequest } from '../../../../../../functions/shared/ports/test-runner.js';
import { validConfig } from '../../../../../support/config-fixtures.js';
import { FakeCodeBuild } from '../../../../../support/fake-codebuild.js';
import { FakeS3 } from '../../../../../support/fake-s3.js';

const BUCKET = 'artifacts';
const config = parseConfig(
  validConfig({
    database: { engine: 'postgres', provider: { type: 'aurora-clone', sourceClusterId: 'orders-prod' } },
    environments: [
      {
        name: 'test',
        url: 'http://orders-test.internal',
        deploy: { type: 'ecs', cluster: 'apps', service: 'orders-test', containerName: 'app' },
        database: { refresh: true },
        tests: [
          {
            name: 'integration',
            run: 'npm test',
            junit: 'reports/*.xml',
            timeout: '20m',
            env: { MODE: 'ci' },
          },
          {
            name: 'perf',
            run: 'node perf.mjs',
            thresholds: [{ metric: 'p95', max: 200, file: 'out/perf.json' }],
          },
        ],
      },
      {
        name: 'prod',
        deploy: { type: 'ecs', cluster: 'apps', service: 'orders-prod', containerName: 'app' },
        database: {},
      },
    ],
  }),
);

function request(overrides: Partial<TestRunRequest> = {}): TestRunRequest {
  return {
    pipeline: 'orders-service',
    environment: 'test',
    release: {
      version: 'r7-abc1234',
      commit: 'abc1234'.padEnd(40, '0'),
      digest: `sha256:${'d'.repeat(64)}`,
      artifactKey: `blobs/sha256/${'d'.repeat(64)}`,
    },
    baseUrl: 'http://orders-test.internal',
    tests: config.environments[0]!.tests,
    idempotencyKey: 'arn:aws:states:execution:x:1#StartTests#test',
    ...overrides,
  };
}

describe('CodeBuildTestRunner', () => {
  const codebuildStub = mockClient(CodeBuildClient);
  const s3Stub = mockClient(S3Client);
  let codebuild: FakeCodeBuild;
  let s3: FakeS3;
  let runner: CodeBuildTestRunner;

  beforeEach(() => {
    codebuild = new FakeCodeBuild().install(codebuildStub);
    s3 = new FakeS3([BUCKET]).install(s3Stub);
    runner = new CodeBuildTestRunner({
      codebuild: new CodeBuildClient({}),
      s3: new S3Client({}),
      config,
      projectName: 'orders-service-tests',
      bucket: BUCKET,
      databaseSecrets: { test: 'orders/test-db', prod: 'orders/prod-db' },
    });
  });
  afterEach(() => {
    codebuildStub.reset();
    s3Stub.reset();
  });

  const put = (key: string, body: unknown) =>
    new S3Client({}).send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: key,
        Body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    );
  const uuidOf = (runId: string) => runId.split(':')[1]!;

  it("starts one build with the phase's tests, the release and the environment's secret as CodeBuild resolves it", async () => {
    // Act
    const { runId } = await runner.start(request());

    // Assert
    expect(runId).toMatch(/^orders-service-tests:[0-9a-f-]{36}$/);
    const input = codebuild.started[0]!;
    expect(input.projectName).toBe('orders-service-tests');
    // 20 m + 10 m (default) + the 10 m margin for provisioning, download and unpacking.
    expect(input.timeoutInMinutesOverride).toBe(40);
    const vars = Object.fromEntries(input.environmentVariablesOverride!.map((v) => [v.name, v]));
    expect(vars.TOLLGATE_URL).toEqual({
      name: 'TOLLGATE_URL',
      value: 'http://orders-test.internal',
      type: 'PLAINTEXT',
    });
    expect(vars.TOLLGATE_ARTIFACT_KEY?.value).toBe(request().release.artifactKey);
    expect(vars.TOLLGATE_RELEASE_DIGEST?.value).toBe(request().release.digest);
    expect(vars.TOLLGATE_ENV?.value).toBe('test');
    expect(vars.TOLLGATE_DATABASE_SECRET).toEqual({
      name: 'TOLLGATE_DATABASE_SECRET',
      value: 'orders/test-db',
      type: 'SECRETS_MANAGER',
    });
    expect(JSON.parse(vars.TOLLGATE_TESTS!.value!)).toEqual([
      {
        name: 'integration',
        run: 'npm test',
        timeoutSeconds: 1200,
        env: { MODE: 'ci' },
        reportDirs: ['reports'],
        files: [],
      },
      {
        name: 'perf',
        run: 'node perf.mjs',
        timeoutSeconds: 600,
        env: {},
        reportDirs: [],
        files: ['out/perf.json'],
      },
    ]);
    expect(s3.keys(BUCKET)).toEqual([`tests/${uuidOf(runId)}/request.json`]);
  });

  it('returns the same build when start is invoked again with the same key', async () => {
    // Act
    const first = await runner.start(request());
    const again = await runner.start(request());
    const other = await runner.start(request({ idempotencyKey: 'another execution' }));

    // Assert
    expect(again.runId).toBe(first.runId);
    expect(other.runId).not.toBe(first.runId);
    expect(codebuild.started[0]!.idempotencyToken).toBe(codebuild.started[1]!.idempotencyToken);
  });

  it('answers RUNNING with the tests reported so far while the build runs', async () => {
    // Arrange
    const { runId } = await runner.start(request());
    await put(`tests/${uuidOf(runId)}/outcomes/0.json`, { name: 'integration', collected: [] });

    // Act
    const status = await runner.poll(runId);

    // Assert
    expect(status).toEqual({ runId, state: 'RUNNING', done: 1, total: 2 });
  });

  it('reads the outcomes and only the reports each test names once the build ended', async () => {
    // Arrange
    const { runId } = await runner.start(request());
    const at = `tests/${uuidOf(runId)}/`;
    await put(`${at}outcomes/0.json`, {
      name: 'integration',
      exitCode: 1,
      timedOut: false,
      durationMs: 900,
      outputTail: ['1 failing'],
      collected: ['reports/a.xml', 'reports/notes.txt'],
    });
    await put(`${at}tree/0/reports/a.xml`, '<testsuites></testsuites>');
    await put(`${at}tree/0/reports/notes.txt`, 'not a report');
    await put(`${at}outcomes/1.json`, {
      name: 'perf',
      exitCode: 0,
      timedOut: false,
      durationMs: 300,
      outputTail: [],
      collected: ['out/perf.json'],
    });
    await put(`${at}tree/1/out/perf.json`, '{"p95":120}');
    codebuild.builds.get(runId)!.buildStatus = 'SUCCEEDED';

    // Act
    const status = await runner.poll(runId);

    // Assert
    expect(status).toEqual({
      runId,
      state: 'FINISHED',
      outcomes: [
        {
          name: 'integration',
          exitCode: 1,
          timedOut: false,
          durationMs: 900,
          outputTail: ['1 failing'],
          junit: [{ path: 'reports/a.xml', content: '<testsuites></testsuites>', truncated: false }],
          summaries: {},
        },
        {
          name: 'perf',
          exitCode: 0,
          timedOut: false,
          durationMs: 300,
          outputTail: [],
          junit: [],
          summaries: { 'out/perf.json': { path: 'out/perf.json', content: '{"p95":120}', truncated: false } },
        },
      ],
    });
  });

  it("names the build's failed phase for every test it never reported", async () => {
    // Arrange
    const { runId } = await runner.start(request());
    Object.assign(codebuild.builds.get(runId)!, {
      buildStatus: 'FAILED',
      phases: [
        { phaseType: 'PROVISIONING', phaseStatus: 'SUCCEEDED' },
        {
          phaseType: 'BUILD',
          phaseStatus: 'FAILED',
          contexts: [
            { statusCode: 'COMMAND_EXECUTION_ERROR', message: 'Error while executing command: sha256sum' },
          ],
        },
      ],
    });

    // Act
    const status = await runner.poll(runId);

    // Assert
    expect(status.state).toBe('FINISHED');
    const outcomes = status.state === 'FINISHED' ? status.outcomes : [];
    expect(outcomes.map((o) => [o.name, o.exitCode, o.error])).toEqual([
      [
        'integration',
        null,
        `the test build ${runId} ended FAILED in its BUILD phase (Error while executing command: sha256sum) before this test reported`,
      ],
      [
        'perf',
        null,
        `the test build ${runId} ended FAILED in its BUILD phase (Error while executing command: sha256sum) before this test reported`,
      ],
    ]);
  });

  it.each<[string, () => Promise<unknown>, RegExp, new (...a: never[]) => Error]>([
    [
      'a run id that is no build id',
      () => runner.poll('tests:test:0123456789abcdef'),
      /is not a CodeBuild build id/,
      InvalidInputError,
    ],
    [
      'a build CodeBuild does not know',
      () => runner.poll(`orders-service-tests:${randomUUID()}`),
      /^no test build orders-service-tests:/,
      NotFoundError,
    ],
    [
      'another pipeline',
      () => runner.start(request({ pipeline: 'billing' })),
      /pipeline "billing" is not this stack's/,
      InvalidInputError,
    ],
    [
      'an unknown environment',
      () => runner.start(request({ environment: 'qa' })),
      /environment "qa" is not in the config/,
      InvalidInputError,
    ],
    ['no tests', () => runner.start(request({ tests: [] })), /needs at least one test/, InvalidInputError],
    [
      'an empty idempotency key',
      () => runner.start(request({ idempotencyKey: '' })),
      /non-empty idempotencyKey/,
      InvalidInputError,
    ],
  ])('refuses %s in one line and starts nothing', async (_, act, message, type) => {
    // Act
    const error = await act().then(
      () => undefined,
      (e: Error) => e,
    );

    // Assert
    expect(error).toBeInstanceOf(type);
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain('\n');
    expect(codebuild.started).toEqual([]);
  });

  it('refuses an environment with a database but no connection secret, before starting a build', async () => {
    // Arrange
    const noSecrets = new CodeBuildTestRunner({
      codebuild: new CodeBuildClient({}),
      s3: new S3Client({}),
      config,
      projectName: 'orders-service-tests',
      bucket: BUCKET,
      databaseSecrets: {},
    });

    // Act + Assert
    await expect(noSecrets.start(request())).rejects.toThrow(
      /environment "test" has a database but no connection secret for volume "test" \(aws\.databaseSecrets\)/,
    );
    expect(codebuild.started).toEqual([]);
  });
});
