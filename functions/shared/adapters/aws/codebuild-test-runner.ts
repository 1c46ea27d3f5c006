import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import {
  BatchGetBuildsCommand,
  type Build,
  type CodeBuildClient,
  type EnvironmentVariable,
  StartBuildCommand,
} from '@aws-sdk/client-codebuild';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { TollgateConfig } from '../../config/schema.js';
import { environmentVolume } from '../../database/environment-connection.js';
import { InvalidInputError, NotFoundError } from '../../errors.js';
import type {
  ReportFile,
  TestCommandOutcome,
  TestRunner,
  TestRunRequest,
  TestRunStatus,
} from '../../ports/test-runner.js';
import { releaseEnvironment } from '../../release-environment.js';
import { MAX_REPORT_BYTES, reportGlob } from '../../test-reports.js';

export interface CodeBuildTestRunnerOptions {
  readonly codebuild: CodeBuildClient;
  readonly s3: S3Client;
  readonly config: TollgateConfig;
  /** The test-stage project (infra/constructs/test-stage-project.ts). */
  readonly projectName: string;
  /** The artifacts bucket: the builds upload their results under `tests/<build uuid>/`. */
  readonly bucket: string;
  /** Connection secret id by volume, as the data functions get them (TOLLGATE_DATABASE_SECRETS). */
  readonly databaseSecrets: Readonly<Record<string, string>>;
}

/** What start leaves beside the build's results, so a poll knows the phase's tests without the config. */
interface RunRecord {
  readonly environment: string;
  readonly tests: ReadonlyArray<{ readonly name: string; readonly junit?: string; readonly files: string[] }>;
}

/** What the build's driver writes per test (infra/test-stages/run-test-stages.mjs). */
type DriverOutcome = Omit<TestCommandOutcome, 'junit' | 'summaries'> & { readonly collected: string[] };

/** A build id: `<project>:<uuid>`; the uuid names the results' prefix. */
const BUILD_ID =
  /^[A-Za-z0-9][A-Za-z0-9_-]{1,254}:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
/** Downloading and unpacking the release, and CodeBuild's provisioning, on top of the commands' own timeouts. */
const BUILD_MARGIN_SECONDS = 600;

/**
 * The AWS TestRunner: one CodeBuild build per phase runs the phase's commands one after the other
 * in the release's unpacked tree, in the environments' network (see the test-stage project for
 * why CodeBuild). start starts the build (idempotent on the request's key through CodeBuild's
 * idempotencyToken) and records the phase's tests beside its results; poll reads the build's
 * status and, once it ended, the outcomes and report files its driver uploaded. A build that ended
 * before a test reported (the release would not download or unpack, the build timed out) gives that
 * test an error naming the build's failed phase.
 */
export class CodeBuildTestRunner implements TestRunner {
  constructor(private readonly options: CodeBuildTestRunnerOptions) {}

  async start(request: TestRunRequest): Promise<{ runId: string }> {
    const { config } = this.options;
    if (request.pipeline !== config.name)
      throw new InvalidInputError(`pipeline "${request.pipeline}" is not this stack's ("${config.name}")`);
    const env = config.environments.find((e) => e.name === request.environment);
    if (!env) throw new InvalidInputError(`environment "${request.environment}" is not in the config`);
    if (!request.idempotencyKey) throw new InvalidInputError('a test run needs a non-empty idempotencyKey');
    if (request.tests.length === 0) throw new InvalidInputError('a test run needs at least one test');
    const { release } = request;
    const plain = (name: string, value: string): EnvironmentVariable => ({ name, value, type: 'PLAINTEXT' });
    const variables: EnvironmentVariable[] = [
      ...Object.entries({
        ...releaseEnvironment(request.pipeline, env.name, release),
        TOLLGATE_RELEASE: release.version,
        TOLLGATE_COMMIT: release.commit,
        TOLLGATE_ENV: env.name,
        TOLLGATE_URL: request.baseUrl,
        TOLLGATE_ARTIFACT_KEY: release.artifactKey,
        TOLLGATE_TESTS: JSON.stringify(
          request.tests.map((t) => ({
            name: t.name,
            run: t.run,
            timeoutSeconds: t.timeout,
            env: t.env,
            reportDirs: t.junit ? [reportGlob(t.junit).dir] : [],
            files: [...new Set(t.thresholds.map((th) => th.file))],
          })),
        ),
      }).map(([name, value]) => plain(name, value)),
      ...this.databaseSecret(env.name, env.database !== undefined),
    ];
    const seconds = request.tests.reduce((sum, t) => sum + t.timeout, 0) + BUILD_MARGIN_SECONDS;
    const started = await this.options.codebuild.send(
      new StartBuildCommand({
        projectName: this.options.projectName,
        // A re-invoked start (a Lambda retry) gets the same build back; CodeBuild keeps the token 5 minutes.
        idempotencyToken: createHash('sha256').update(request.idempotencyKey).digest('hex').slice(0, 64),
        timeoutInMinutesOverride: Math.min(2160, Math.max(5, Math.ceil(seconds / 60))),
        environmentVariablesOverride: variables,
      }),
    );
    const runId = started.build?.id;
    const uuid = runId ? BUILD_ID.exec(runId)?.[1] : undefined;
    if (!runId || !uuid) throw new Error(`CodeBuild answered StartBuild without a build id (${runId})`);
    const record: RunRecord = {
      environment: env.name,
      tests: request.tests.map((t) => ({
        name: t.name,
        ...(t.junit ? { junit: t.junit } : {}),
        files: [...new Set(t.thresholds.map((th) => th.file))],
      })),
    };
    await this.options.s3.send(
      new PutObjectCommand({
        Bucket: this.options.bucket,
        Key: `${prefixOf(uuid)}request.json`,
        Body: JSON.stringify(record),
        ContentType: 'application/json',
      }),
    );
    return { runId };
  }

  async poll(runId: string): Promise<TestRunStatus> {
    const uuid = BUILD_ID.exec(runId)?.[1];
    if (!uuid) throw new InvalidInputError(`"${runId}" is not a CodeBuild build id (<project>:<uuid>)`);
    const { builds } = await this.options.codebuild.send(new BatchGetBuildsCommand({ ids: [runId] }));
    const build = builds?.find((b) => b.id === runId);
    if (!build) throw new NotFoundError(`no test build ${runId}`);
    // Only what is listed is read: without a listing, a missing key and a forbidden one look alike.
    const prefix = prefixOf(uuid);
    const keys = new Set(await this.list(prefix));
    if (!keys.has(`${prefix}request.json`))
      throw new NotFoundError(`test build ${runId} has no request.json; run-tests did not start it`);
    const record = await this.readJson<RunRecord>(`${prefix}request.json`);
    const outcomeKey = (i: number) => `${prefix}outcomes/${i}.json`;
    if (build.buildStatus === 'IN_PROGRESS') {
      const done = record.tests.filter((_, i) => keys.has(outcomeKey(i))).length;
      return { runId, state: 'RUNNING', done, total: record.tests.length };
    }
    const outcomes = await Promise.all(
      record.tests.map(async (test, i): Promise<TestCommandOutcome> => {
        if (!keys.has(outcomeKey(i))) return unreported(test.name, build);
        const { collected, ...outcome } = await this.readJson<DriverOutcome>(outcomeKey(i));
        const tree = `${prefix}tree/${i}/`;
        const glob = test.junit ? reportGlob(test.junit) : undefined;
        const junitPaths = glob
          ? collected.filter((p) => posix.dirname(p) === glob.dir && glob.matches(posix.basename(p)))
          : [];
        const junit = await Promise.all(junitPaths.sort().map((p) => this.readReport(tree, p)));
        const summaries = await Promise.all(
          test.files
            .filter((f) => collected.includes(f))
            .map(async (f) => [f, await this.readReport(tree, f)] as const),
        );
        return { ...outcome, junit, summaries: Object.fromEntries(summaries) };
      }),
    );
    return { runId, state: 'FINISHED', outcomes };
  }

  /** The environment's connection secret, resolved by CodeBuild into the build (never in plain text). */
  private databaseSecret(environment: string, hasDatabase: boolean): EnvironmentVariable[] {
    if (!hasDatabase) return [];
    const volume = environmentVolume(this.options.config, environment);
    const secretId = this.options.databaseSecrets[volume];
    if (!secretId)
      throw new InvalidInputError(
        `environment "${environment}" has a database but no connection secret for volume "${volume}" (aws.databaseSecrets)`,
      );
    return [{ name: 'TOLLGATE_DATABASE_SECRET', value: secretId, type: 'SECRETS_MANAGER' }];
  }

  private async readReport(tree: string, path: string): Promise<ReportFile> {
    const object = await this.options.s3.send(
      new GetObjectCommand({
        Bucket: this.options.bucket,
        Key: `${tree}${path}`,
        Range: `bytes=0-${MAX_REPORT_BYTES - 1}`,
      }),
    );
    const total = Number(/\/(\d+)$/.exec(object.ContentRange ?? '')?.[1] ?? object.ContentLength ?? 0);
    return {
      path,
      content: (await object.Body?.transformToString('utf8')) ?? '',
      truncated: total > MAX_REPORT_BYTES,
    };
  }

  private async readJson<T>(key: string): Promise<T> {
    const object = await this.options.s3.send(
      new GetObjectCommand({ Bucket: this.options.bucket, Key: key }),
    );
    return JSON.parse((await object.Body?.transformToString('utf8')) ?? '') as T;
  }

  private async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.options.s3.send(
        new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }
}

/** Where a build's results live in the artifacts bucket; the project may write only under `tests/`. */
function prefixOf(uuid: string): string {
  return `tests/${uuid}/`;
}

/** A test the build never reported: why, in the build's own words. */
function unreported(name: string, build: Build): TestCommandOutcome {
  const failed = build.phases?.find((p) => p.phaseStatus && p.phaseStatus !== 'SUCCEEDED');
  const context = failed?.contexts?.find((c) => c.message)?.message;
  const where = failed ? ` in its ${failed.phaseType} phase${context ? ` (${context})` : ''}` : '';
  return {
    name,
    exitCode: null,
    timedOut: build.buildStatus === 'TIMED_OUT',
    durationMs: 0,
    outputTail: [],
    error: `the test build ${build.id} ended ${build.buildStatus}${where} before this test reported`,
    junit: [],
    summaries: {},
  };
}
