import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Clock, systemClock } from '../../clock.js';
import type { TestStageConfig, TollgateConfig } from '../../config/schema.js';
import { firstErrorLines } from '../../error-lines.js';
import { InvalidInputError, NotFoundError } from '../../errors.js';
import type { ArtifactStore } from '../../ports/artifact-store.js';
import type {
  ReportFile,
  TestCommandOutcome,
  TestRunner,
  TestRunRequest,
  TestRunStatus,
} from '../../ports/test-runner.js';
import { releaseEnvironment } from '../../release-environment.js';
import { MAX_REPORT_BYTES, OUTPUT_LINES, reportGlob, reportPath } from '../../test-reports.js';
import { AppProcess, nonEmptyLines, realSleep, type Sleeper } from './app-process.js';
import { AppRecords } from './app-records.js';
import { loadOrCreateDatabasePassword, localDatabaseUrl } from './database-password.js';
import { holdWhileRunning } from './poll-hold.js';
import { unpackRelease } from './release-unpacker.js';

export interface ProcessTestRunnerOptions {
  readonly config: TollgateConfig;
  /** The `.tollgate` data directory; test runs live under `tests/<env>/<run>/`. */
  readonly dataDir: string;
  readonly artifacts: ArtifactStore;
  /** Deadlines (each test's `timeout`) are read from it. */
  readonly clock?: Clock;
  readonly sleep?: Sleeper;
  /** How often a running command is looked at. @default 100 */
  readonly checkIntervalMs?: number;
  /** SIGTERM-to-SIGKILL grace when a command times out. @default 5000 */
  readonly stopGraceMs?: number;
  /**
   * A poll of a running suite waits this long for it to finish before it answers RUNNING, so the
   * state machine's poll count stays near the real seconds a suite takes, even where its Wait
   * states take no time (a fake engine clock). @default POLL_HOLD_MS (poll-hold.ts)
   */
  readonly pollHoldMs?: number;
}

const ID = /^tests:([a-z][a-z0-9-]{0,39}):([0-9a-f]{16})$/;

interface Run {
  status: TestRunStatus;
}

/**
 * The local TestRunner: each run unpacks the release into its own fresh tree
 * (`tests/<env>/<run>/tree`, so one run's reports are never read by the next) and runs the
 * commands there one after the other, as detached process groups whose pids are recorded before
 * they run (a crashed Tollgate's leftovers are stopped at the next run). Each command gets the
 * environment's URL, its DATABASE_URL and the release's metadata. A command still running at its
 * deadline (read from the clock) is stopped, its whole group with it.
 */
export class ProcessTestRunner implements TestRunner {
  private readonly clock: Clock;
  private readonly sleep: Sleeper;
  private readonly runs = new Map<string, Run>();

  constructor(private readonly options: ProcessTestRunnerOptions) {
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
  }

  async start(request: TestRunRequest): Promise<{ runId: string }> {
    const env = this.envConfig(request.pipeline, request.environment);
    if (!request.idempotencyKey) throw new InvalidInputError('a test run needs a non-empty idempotencyKey');
    if (request.tests.length === 0) throw new InvalidInputError('a test run needs at least one test');
    const hash = createHash('sha256').update(request.idempotencyKey).digest('hex').slice(0, 16);
    const runId = `tests:${env.name}:${hash}`;
    if (this.runs.has(runId)) return { runId };
    const dir = join(this.options.dataDir, 'tests', env.name, hash);
    // Saved before anything runs: a Tollgate restarted mid-run finds the request at the next poll
    // and runs the suite again from the start, instead of failing the run with "not found".
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'request.json'), JSON.stringify(request));
    const run: Run = { status: { runId, state: 'RUNNING', done: 0, total: request.tests.length } };
    this.runs.set(runId, run);
    void this.execute(run, request, dir).catch(async (error: Error) => {
      const reason = error.message.split('\n')[0] ?? String(error);
      const outcomes = request.tests.map((t) => notStarted(t.name, reason));
      await this.finish(run, dir, outcomes);
    });
    return { runId };
  }

  async poll(runId: string): Promise<TestRunStatus> {
    const match = ID.exec(runId);
    if (!match) throw new InvalidInputError(`"${runId}" is not a local test run id (tests:<env>:<16 hex>)`);
    const known = this.runs.get(runId);
    if (known) return this.held(known);
    const dir = join(this.options.dataDir, 'tests', match[1]!, match[2]!);
    const result = await readJson<TestRunStatus>(join(dir, 'result.json'));
    if (result) return result;
    const request = await readJson<TestRunRequest>(join(dir, 'request.json'));
    if (!request) throw new NotFoundError(`no test run ${runId}`);
    await this.start(request);
    return this.held(this.runs.get(runId)!);
  }

  private async held(run: Run): Promise<TestRunStatus> {
    await holdWhileRunning(() => run.status.state === 'RUNNING', this.sleep, this.options.pollHoldMs);
    return run.status;
  }

  private async execute(run: Run, request: TestRunRequest, dir: string): Promise<void> {
    const env = this.envConfig(request.pipeline, request.environment);
    const apps = new AppRecords(join(this.options.dataDir, 'tests', env.name, 'apps'));
    await apps.reap(undefined, this.options.stopGraceMs ?? 5_000, this.sleep);
    const tree = join(dir, 'tree');
    await rm(tree, { recursive: true, force: true });
    const { release } = request;
    await unpackRelease(await this.options.artifacts.open(release.artifactKey), tree, release.digest);
    const vars: Record<string, string> = {
      ...releaseEnvironment(request.pipeline, env.name, release),
      TOLLGATE_RELEASE: release.version,
      TOLLGATE_COMMIT: release.commit,
      TOLLGATE_ENV: env.name,
      TOLLGATE_URL: request.baseUrl,
    };
    if (env.database?.port) {
      const password = await loadOrCreateDatabasePassword(this.options.dataDir, env.name);
      vars.DATABASE_URL = localDatabaseUrl('127.0.0.1', env.database.port, password);
    }
    const outcomes: TestCommandOutcome[] = [];
    for (const test of request.tests) {
      outcomes.push(await this.runOne(test, { tree, vars, apps, logFile: join(dir, `${test.name}.log`) }));
      run.status = {
        runId: run.status.runId,
        state: 'RUNNING',
        done: outcomes.length,
        total: request.tests.length,
      };
    }
    await this.finish(run, dir, outcomes);
  }

  private async runOne(
    test: TestStageConfig,
    at: { tree: string; vars: Record<string, string>; apps: AppRecords; logFile: string },
  ): Promise<TestCommandOutcome> {
    const started = this.clock.now().getTime();
    const deadline = started + test.timeout * 1_000;
    let app: AppProcess;
    try {
      app = await AppProcess.start(
        { command: test.run, cwd: at.tree, port: 0, env: { ...test.env, ...at.vars }, logFile: at.logFile },
        this.clock,
        (pid) => at.apps.record({ pid, port: 0, version: test.name, at: this.clock.now().toISOString() }),
      );
    } catch (error) {
      return notStarted(test.name, (error as Error).message.split('\n')[0] ?? String(error));
    }
    let timedOut = false;
    while (!app.exit) {
      if (this.clock.now().getTime() >= deadline) {
        timedOut = true;
        break;
      }
      await this.sleep(this.options.checkIntervalMs ?? 100);
    }
    // Whatever the command left running (a server it started, a timed-out suite) goes with it.
    if (app.isAlive()) await app.stop(this.options.stopGraceMs ?? 5_000, this.sleep);
    await at.apps.forget(app.pid);
    const output = (await nonEmptyLines(at.logFile)).filter((l) => !l.startsWith('--- tollgate:'));
    const errorLines = firstErrorLines(output);
    return {
      name: test.name,
      exitCode: timedOut ? null : (app.exit?.code ?? null),
      timedOut,
      durationMs: this.clock.now().getTime() - started,
      outputTail: output.slice(-OUTPUT_LINES),
      ...(errorLines.length > 0 ? { errorLines } : {}),
      junit: test.junit ? await readGlob(at.tree, test.junit) : [],
      summaries: Object.fromEntries(
        (
          await Promise.all(
            [...new Set(test.thresholds.map((t) => t.file))].map(
              async (file) => [file, await readReport(at.tree, file)] as const,
            ),
          )
        ).filter((entry): entry is readonly [string, ReportFile] => entry[1] !== undefined),
      ),
    };
  }

  private async finish(run: Run, dir: string, outcomes: readonly TestCommandOutcome[]): Promise<void> {
    run.status = { runId: run.status.runId, state: 'FINISHED', outcomes };
    await writeFile(join(dir, 'result.json'), JSON.stringify(run.status));
  }

  private envConfig(pipeline: string, environment: string) {
    const config = this.options.config;
    if (pipeline !== config.name)
      throw new InvalidInputError(`pipeline "${pipeline}" is not this runtime's ("${config.name}")`);
    const env = config.environments.find((e) => e.name === environment);
    if (!env) throw new InvalidInputError(`environment "${environment}" is not in the config`);
    return env;
  }
}

function notStarted(name: string, error: string): TestCommandOutcome {
  return {
    name,
    exitCode: null,
    timedOut: false,
    durationMs: 0,
    outputTail: [],
    error,
    junit: [],
    summaries: {},
  };
}

/** The files a `junit` glob matches (test-reports.ts), sorted by name. */
async function readGlob(tree: string, glob: string): Promise<ReportFile[]> {
  const { dir, matches } = reportGlob(glob);
  let names: string[];
  try {
    names = await readdir(join(tree, dir));
  } catch {
    return [];
  }
  const files = await Promise.all(
    names
      .filter(matches)
      .sort()
      .map((n) => readReport(tree, reportPath(dir, n))),
  );
  return files.filter((f): f is ReportFile => f !== undefined);
}

async function readReport(tree: string, path: string): Promise<ReportFile | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(tree, path));
  } catch {
    return undefined;
  }
  const truncated = bytes.length > MAX_REPORT_BYTES;
  return { path, content: bytes.subarray(0, MAX_REPORT_BYTES).toString('utf8'), truncated };
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
