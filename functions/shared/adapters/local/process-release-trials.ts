import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Clock, systemClock } from '../../clock.js';
import type { TollgateConfig } from '../../config/schema.js';
import { InvalidInputError, NotFoundError } from '../../errors.js';
import type { ArtifactStore } from '../../ports/artifact-store.js';
import type { ReleaseTrials, TrialRequest, TrialStatus } from '../../ports/release-trials.js';
import { releaseEnvironment } from '../../release-environment.js';
import { AppProcess, freePort, realSleep, type Sleeper, tailLines, waitHealthy } from './app-process.js';
import { AppRecords } from './app-records.js';
import { loadOrCreateDatabasePassword, localDatabaseUrl } from './database-password.js';
import { holdWhileRunning } from './poll-hold.js';
import { unpackRelease } from './release-unpacker.js';

export interface ProcessReleaseTrialsOptions {
  readonly config: TollgateConfig;
  /** The `.tollgate` data directory; trials live under `trials/<env>/`. */
  readonly dataDir: string;
  readonly artifacts: ArtifactStore;
  readonly clock?: Clock;
  readonly sleep?: Sleeper;
  /** @default 250 */
  readonly healthIntervalMs?: number;
  /** SIGTERM-to-SIGKILL grace when stopping a trial. @default 5000 */
  readonly stopGraceMs?: number;
  /** How long a poll of a starting trial waits for it to be ready (poll-hold.ts). @default POLL_HOLD_MS */
  readonly pollHoldMs?: number;
}

interface Trial {
  readonly environment: string;
  status: TrialStatus;
  app?: AppProcess;
  apps: AppRecords;
}

const ID = /^trial:([a-z][a-z0-9-]{0,39}):([0-9a-f]{16})$/;

/**
 * Local ReleaseTrials: the release unpacked into its own directory and started as a process on an
 * ephemeral loopback port with the environment's DATABASE_URL, never behind the environment's
 * proxy, so it serves no traffic. Its pid goes into `trials/<env>/apps` before it runs (as the
 * process deployer's do), so a trial left by a crashed Tollgate is found and stopped at the next start.
 */
export class ProcessReleaseTrials implements ReleaseTrials {
  private readonly clock: Clock;
  private readonly sleep: Sleeper;
  private readonly trials = new Map<string, Trial>();

  constructor(private readonly options: ProcessReleaseTrialsOptions) {
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
  }

  async start(request: TrialRequest): Promise<{ trialId: string }> {
    const env = this.envConfig(request.pipeline, request.environment);
    if (!request.idempotencyKey) throw new InvalidInputError('a trial needs a non-empty idempotencyKey');
    const hash = createHash('sha256').update(request.idempotencyKey).digest('hex').slice(0, 16);
    const trialId = `trial:${env.name}:${hash}`;
    if (this.trials.has(trialId)) return { trialId };
    const dir = join(this.options.dataDir, 'trials', env.name);
    await mkdir(join(dir, 'logs'), { recursive: true });
    // Written before the launch: a Tollgate killed while the trial starts or runs finds the request
    // at the next poll and starts the trial again, instead of failing the run with "not found".
    await writeFile(requestFile(dir, hash), JSON.stringify(request));
    const apps = new AppRecords(join(dir, 'apps'));
    const trial: Trial = { environment: env.name, status: { trialId, state: 'STARTING' }, apps };
    this.trials.set(trialId, trial);
    void this.launch(trial, request, dir).catch((error: Error) => {
      trial.status = { trialId, state: 'FAILED', reason: error.message.split('\n')[0] };
    });
    return { trialId };
  }

  async poll(trialId: string): Promise<TrialStatus> {
    const match = ID.exec(trialId);
    if (match && !this.trials.has(trialId)) {
      const saved = await readRequest(join(this.options.dataDir, 'trials', match[1]), match[2]);
      if (saved) await this.start(saved);
    }
    const trial = this.trial(trialId);
    await holdWhileRunning(() => trial.status.state === 'STARTING', this.sleep, this.options.pollHoldMs);
    return trial.status;
  }

  async stop(trialId: string): Promise<void> {
    await this.halt(trialId);
    const match = ID.exec(trialId);
    if (match)
      await rm(requestFile(join(this.options.dataDir, 'trials', match[1]), match[2]), { force: true });
  }

  /** Stops every trial still running (Tollgate shutting down); their requests stay for the restart. */
  async close(): Promise<void> {
    await Promise.all([...this.trials.keys()].map((id) => this.halt(id)));
  }

  private async halt(trialId: string): Promise<void> {
    const trial = this.trials.get(trialId);
    if (!trial) return;
    const app = trial.app;
    trial.app = undefined;
    if (app) {
      await app.stop(this.options.stopGraceMs ?? 5_000, this.sleep);
      await trial.apps.forget(app.pid);
    }
    if (trial.status.state !== 'FAILED') trial.status = { trialId, state: 'FAILED', reason: 'stopped' };
  }

  private async launch(trial: Trial, request: TrialRequest, dir: string): Promise<void> {
    const env = this.envConfig(request.pipeline, request.environment);
    const { release } = request;
    // A crashed Tollgate may have left a trial of this environment running: it serves nobody.
    await trial.apps.reap(undefined, this.options.stopGraceMs ?? 5_000, this.sleep);
    const releaseDir = join(dir, 'releases', release.version);
    if (!existsSync(releaseDir)) {
      await unpackRelease(await this.options.artifacts.open(release.artifactKey), releaseDir, release.digest);
    }
    const { version, commit, digest } = release;
    await writeFile(join(releaseDir, 'release.json'), JSON.stringify({ version, commit, digest }));
    const port = await freePort();
    const logFile = join(dir, 'logs', `${release.version}.log`);
    const vars: Record<string, string> = {
      PORT: String(port),
      ...releaseEnvironment(this.options.config.name, env.name, release),
    };
    if (env.database?.port) {
      const password = await loadOrCreateDatabasePassword(this.options.dataDir, env.name);
      vars.DATABASE_URL = localDatabaseUrl('127.0.0.1', env.database.port, password);
    }
    const app = await AppProcess.start(
      { command: env.deploy.command, cwd: releaseDir, port, env: vars, logFile },
      this.clock,
      (pid) => trial.apps.record({ pid, port, version: release.version, at: this.clock.now().toISOString() }),
    );
    trial.app = app;
    const outcome = await waitHealthy({
      app,
      healthPath: env.deploy.healthPath,
      clock: this.clock,
      sleep: this.sleep,
      deadline: this.clock.now().getTime() + env.deployTimeout * 1_000,
      intervalMs: this.options.healthIntervalMs ?? 250,
      unhealthyThreshold: 10,
      probeTimeoutMs: 2_000,
    });
    const trialId = trial.status.trialId;
    if (outcome.healthy) {
      trial.status = { trialId, state: 'READY', baseUrl: `http://127.0.0.1:${port}` };
      return;
    }
    await this.halt(trialId);
    const tail = await tailLines(logFile, 10);
    const logs = tail.length ? `; last log lines: ${tail.join(' | ')}` : '';
    trial.status = { trialId, state: 'FAILED', reason: `${release.version}: ${outcome.reason}${logs}` };
  }

  private trial(trialId: string): Trial {
    if (!ID.test(trialId)) throw new InvalidInputError(`"${trialId}" is not a local trial id`);
    const trial = this.trials.get(trialId);
    if (!trial) throw new NotFoundError(`no trial ${trialId} (it ran in a Tollgate process that has gone)`);
    return trial;
  }

  private envConfig(pipeline: string, environment: string) {
    const config = this.options.config;
    if (pipeline !== config.name)
      throw new InvalidInputError(`pipeline "${pipeline}" is not this runtime's ("${config.name}")`);
    const env = config.environments.find((e) => e.name === environment);
    if (!env) throw new InvalidInputError(`environment "${environment}" is not in the config`);
    if (env.deploy.type !== 'process')
      throw new InvalidInputError(
        `environment "${environment}" deploys to ${env.deploy.type}, not a local process`,
      );
    return env as typeof env & { deploy: { type: 'process' } };
  }
}

function requestFile(dir: string, hash: string): string {
  return join(dir, `${hash}.request.json`);
}

async function readRequest(dir: string, hash: string): Promise<TrialRequest | undefined> {
  try {
    return JSON.parse(await readFile(requestFile(dir, hash), 'utf8')) as TrialRequest;
  } catch {
    // No request saved (a trial that was stopped, or never started here): poll says not found.
    return undefined;
  }
}
