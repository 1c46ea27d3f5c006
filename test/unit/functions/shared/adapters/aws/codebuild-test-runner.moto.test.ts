import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import type { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTests, type TestReport } from '../../../../../../functions/run-tests/run-tests.js';
import { CodeBuildTestRunner } from '../../../../../../functions/shared/adapters/aws/codebuild-test-runner.js';
import { parseConfig } from '../../../../../../functions/shared/config/index.js';
import { MAX_REPORT_BYTES } from '../../../../../../functions/shared/test-reports.js';
import { TEST_STAGE_DRIVER_PATH } from '../../../../../../infra/constructs/test-stage-project.js';
import { validConfig } from '../../../../../support/config-fixtures.js';
import { FakeCodeBuild } from '../../../../../support/fake-codebuild.js';
import { createMotoBucket, motoS3Client } from '../../../../../support/moto-s3.js';
import { type MotoServer, motoEnabled, startMotoServer } from '../../../../../support/moto-server.js';

const PROJECT = 'orders-service-tests';
const JUNIT_FAILING = `<?xml version="1.0"?>
<testsuites><testsuite name="orders" tests="2" failures="1">
<testcase name="reports healthy" time="0.01"/>
<testcase name="serves the release" time="0.02"><failure message="expected r7, got r6"/></testcase>
</testsuite></testsuites>`;

const config = parseConfig(
  validConfig({
    environments: [
      {
        name: 'staging',
        url: 'http://orders-staging.internal',
        deploy: { type: 'ecs', cluster: 'apps', service: 'orders-staging', containerName: 'app' },
        tests: [
          { name: 'integration', run: 'node write-reports.mjs', junit: 'reports/*.xml', timeout: '1m' },
          {
            name: 'perf',
            run: 'node write-perf.mjs',
            timeout: '1m',
            thresholds: [{ metric: 'p95', max: 200, unit: 'ms', file: 'reports/perf.json' }],
          },
        ],
      },
    ],
  }),
);

/**
 * The AWS runner against moto's S3, with the build played for real: the driver the buildspec runs
 * (infra/test-stages/run-test-stages.mjs) with the variables StartBuild was sent, uploading with
 * the real aws CLI to moto; then run-tests judges what the runner read back, as the Lambda does.
 * CodeBuild itself is the stateful fake (test/support/fake-codebuild.ts): moto 5.2's CodeBuild
 * answers timestamps the SDK cannot parse, runs nothing and ignores environment overrides. The
 * buildspec around the driver runs in the rehearsal (npm run rehearse).
 */
describe.runIf(motoEnabled('CodeBuildTestRunner on moto_server'))(
  'CodeBuildTestRunner on moto_server',
  () => {
    let moto: MotoServer;
    let s3: S3Client;
    let bucket: string;
    let work: string;
    const codebuildStub = mockClient(CodeBuildClient);
    let fake: FakeCodeBuild;
    let runner: CodeBuildTestRunner;

    beforeAll(async () => {
      moto = await startMotoServer();
      s3 = motoS3Client(moto);
      bucket = await createMotoBucket(s3, 'artifacts');
      fake = new FakeCodeBuild().install(codebuildStub);
      const codebuild = new CodeBuildClient({});
      runner = new CodeBuildTestRunner({
        codebuild,
        s3,
        config,
        projectName: PROJECT,
        bucket,
        databaseSecrets: {},
      });
      work = mkdtempSync(join(tmpdir(), 'tollgate-codebuild-tests-'));
    }, 60_000);
    afterAll(async () => {
      if (work) rmSync(work, { recursive: true, force: true });
      codebuildStub.restore();
      await moto?.stop();
    });

    /** The build: the driver in a release tree, with the variables StartBuild carried. */
    function build(runId: string, tree: string): void {
      const vars = Object.fromEntries(
        fake.started.at(-1)!.environmentVariablesOverride!.map((v) => [v.name!, v.value!]),
      );
      const result = spawnSync(
        process.execPath,
        [
          TEST_STAGE_DRIVER_PATH,
          tree,
          join(work, `out-${runId.split(':')[1]}`),
          `s3://${bucket}/tests/${runId.split(':')[1]}/`,
        ],
        {
          env: {
            PATH: process.env.PATH,
            HOME: work,
            ...vars,
            AWS_ENDPOINT_URL: moto.endpoint,
            AWS_ACCESS_KEY_ID: 'testing',
            AWS_SECRET_ACCESS_KEY: 'testing',
            AWS_DEFAULT_REGION: 'us-east-1',
          },
          encoding: 'utf8',
          timeout: 120_000,
        },
      );
      if (result.status !== 0) throw new Error(`driver exited ${result.status}: ${result.stderr}`);
    }

    it('turns a build whose suite failed and whose p95 was missed into the evidence the local runner gives', async () => {
      // Arrange
      const tree = join(work, 'tree');
      mkdirSync(tree, { recursive: true });
      writeFileSync(
        join(tree, 'write-reports.mjs'),
        `import { mkdirSync, writeFileSync } from 'node:fs';
mkdirSync('reports', { recursive: true });
writeFileSync('reports/junit.xml', ${JSON.stringify(JUNIT_FAILING)});
writeFileSync('reports/big.xml', '<testsuites>' + ' '.repeat(${MAX_REPORT_BYTES}) + '</testsuites>');
console.log('against', process.env.TOLLGATE_URL);
process.exit(1);
`,
      );
      writeFileSync(
        join(tree, 'write-perf.mjs'),
        `import { mkdirSync, writeFileSync } from 'node:fs';
mkdirSync('reports', { recursive: true });
writeFileSync('reports/perf.json', JSON.stringify({ p95: 350 }));
`,
      );
      const release = {
        version: 'r7-abc1234',
        commit: 'abc1234'.padEnd(40, '0'),
        digest: `sha256:${'d'.repeat(64)}`,
        artifactKey: `blobs/sha256/${'d'.repeat(64)}`,
      };
      const input = { pipeline: config.name, environment: 'staging', after: 'deploy' as const };
      const ports = { config, testRunner: runner };
      const start = await runTests(
        {
          ...input,
          step: 'start',
          release,
          executionArn: 'arn:aws:states:us-east-1:1:execution:p:run',
          stateName: 'StartTests',
        },
        ports,
      );
      if (start.state !== 'RUNNING') throw new Error('start did not start');

      // Act
      build(start.runId, tree);
      fake.builds.get(start.runId)!.buildStatus = 'SUCCEEDED';
      const report = (await runTests(
        {
          ...input,
          step: 'poll',
          runId: start.runId,
          executionArn: 'arn:aws:states:us-east-1:1:execution:p:run',
          stateName: 'PollTests',
        },
        ports,
      )) as TestReport;

      // Assert
      expect(report.state).toBe('FINISHED');
      expect(report.passed).toBe(false);
      const [integration, perf] = report.tests;
      expect(integration).toMatchObject({
        name: 'integration',
        passed: false,
        exitCode: 1,
        output: ['against http://orders-staging.internal'],
        junit: { files: ['reports/big.xml', 'reports/junit.xml'], tests: 2, failures: 1 },
      });
      expect(integration!.junit!.failed).toEqual([
        { suite: 'orders', name: 'serves the release', message: 'expected r7, got r6' },
      ]);
      expect(integration!.reasons).toContain(
        'reports/big.xml: longer than the runner reads; only its beginning was parsed',
      );
      expect(perf).toMatchObject({
        name: 'perf',
        passed: false,
        exitCode: 0,
        thresholds: [{ metric: 'p95', value: 350, passed: false }],
      });
      expect(perf!.reasons).toEqual(['threshold p95 350 ms > max 200 ms']);
    }, 180_000);
  },
);
