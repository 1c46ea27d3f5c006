import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Clock, systemClock } from '../../clock.js';
import type { EnvironmentConfig, TollgateConfig } from '../../config/schema.js';
import { InvalidInputError, NotFoundError } from '../../errors.js';
import type { ArtifactStore } from '../../ports/artifact-store.js';
import type { Deployer, DeploymentStatus, DeployRequest } from '../../ports/deployer.js';
import type { TrafficSplit } from '../../ports/traffic-router.js';
import type { ReleaseRef } from '../../release.js';
import { releaseEnvironment } from '../../release-environment.js';
import {
  AppProcess,
  freePort,
  isGroupAlive,
  probe,
  realSleep,
  type Sleeper,
  tailLines,
  waitHealthy,
} from './app-process.js';
import { AppRecords } from './app-records.js';
import { loadOrCreateDatabasePassword, localDatabaseUrl } from './database-password.js';
import { EnvProxy } from './env-proxy.js';
import { holdWhileRunning } from './poll-hold.js';
import type { RequestLog } from './proxy-metrics-source.js';
import { unpackRelease } from './release-unpacker.js';

export interface ProcessDeployerOptions {
  readonly config: TollgateConfig;
  /** The `.tollgate` data directory; environments live under `envs/<env>/`. */
  readonly dataDir: string;
  readonly artifacts: ArtifactStore;
  readonly clock?: Clock;
  readonly sleep?: Sleeper;
  /** @default 250 */
  readonly healthIntervalMs?: number;
  /** Consecutive non-2xx health answers that fail a rollout. @default 10 */
  readonly unhealthyThreshold?: number;
  /** @default 2000 */
  readonly probeTimeoutMs?: number;
  /** SIGTERM-to-SIGKILL grace when stopping an instance. @default 5000 */
  readonly stopGraceMs?: number;
  /** How long a poll of a running rollout waits for it to end (poll-hold.ts). @default POLL_HOLD_MS */
  readonly pollHoldMs?: number;
}

type ResumeAction = 'none' | 'adopted' | 'restarted' | 'failed';
export interface ResumeReport {
  readonly environment: string;
  readonly action: ResumeAction;
  readonly version?: string;
  readonly reason?: string;
  /** A canary that was running beside the release: adopted or restarted with its split, or dropped. */
  readonly canary?: {
    readonly version: string;
    readonly percent: number;
    readonly action: ResumeAction;
    readonly reason?: string;
  };
}

interface Active {
  readonly release: ReleaseRef;
  readonly app: AppProcess;
  readonly startedAt: string;
}
/** A release running beside the active one, serving `percent` of new requests (canary mode). */
interface Canary extends Active {
  readonly percent: number;
}
type DeployMode = NonNullable<DeployRequest['mode']>;
interface EnvRuntime {
  readonly name: string;
  readonly config: EnvironmentConfig & { deploy: { type: 'process' } };
  readonly dir: string;
  readonly proxy: EnvProxy;
  /** Every app process started here and not yet stopped (see app-records.ts). */
  readonly apps: AppRecords;
  active?: Active;
  canary?: Canary;
  previous?: ReleaseRef;
  queue: Promise<void>;
  resume: ResumeReport;
}
interface DeploymentRecord extends DeploymentStatus {
  readonly environment: string;
  readonly release: ReleaseRef;
  readonly idempotencyKey: string;
  readonly startedAt: string;
  /** Absent in records written before canary mode: replace. */
  readonly mode?: DeployMode;
}
interface SavedApp {
  readonly release: ReleaseRef;
  readonly pid: number;
  readonly port: number;
  readonly startedAt: string;
}
interface StateFile {
  readonly active: SavedApp | null;
  readonly previous: ReleaseRef | null;
  /** The canary and its share, so a restarted runtime restores the same split (absent before #13). */
  readonly canary?: (SavedApp & { readonly percent: number }) | null;
}

const ID = /^local:([a-z][a-z0-9-]{0,39}):([0-9a-f]{16})$/;

/**
 * The local Deployer: one reverse proxy per environment on its configured port, in front of app
 * instances on ephemeral ports. `start` returns at once; the rollout (unpack, start, health-check,
 * swap, stop the old instance) runs in the background, one at a time per environment. The object
 * lives as long as the Tollgate process; `state.json` lets the next one re-adopt running apps.
 */
export class ProcessDeployer implements Deployer {
  private readonly clock: Clock;
  private readonly sleep: Sleeper;
  private readonly envs = new Map<string, Promise<EnvRuntime>>();
  private readonly deployments = new Map<string, Promise<DeploymentRecord>>();
  /** Rollouts this object is running: a poll of one holds until it ends (holdWhileRunning). */
  private readonly rolling = new Set<string>();

  constructor(private readonly options: ProcessDeployerOptions) {
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
  }

  async start(request: DeployRequest): Promise<{ deploymentId: string }> {
    const config = this.envConfig(request.pipeline, request.environment);
    if (!request.idempotencyKey) throw new InvalidInputError('deploy needs a non-empty idempotencyKey');
    const hash = createHash('sha256').update(request.idempotencyKey).digest('hex').slice(0, 16);
    const deploymentId = `local:${config.name}:${hash}`;
    if (!this.deployments.has(deploymentId)) {
      this.deployments.set(deploymentId, this.begin(deploymentId, request));
    }
    try {
      await this.deployments.get(deploymentId);
    } catch (error) {
      this.deployments.delete(deploymentId); // nothing started; a retry may succeed
      throw error;
    }
    return { deploymentId };
  }

  async poll(deploymentId: string): Promise<DeploymentStatus> {
    const match = ID.exec(deploymentId);
    if (!match)
      throw new InvalidInputError(`"${deploymentId}" is not a local deployment id (local:<env>:<16 hex>)`);
    const env = await this.env(this.options.config.name, match[1]);
    let record = this.deployments.get(deploymentId);
    if (!record) {
      const stored = await readJson<DeploymentRecord>(this.recordPath(env, deploymentId));
      if (!stored) throw new NotFoundError(`no deployment ${deploymentId} in environment "${env.name}"`);
      // Known on disk but not in memory: the Tollgate process that ran it has gone.
      record = Promise.resolve(this.continueInterrupted(env, stored));
      this.deployments.set(deploymentId, record);
    }
    await record;
    await holdWhileRunning(() => this.rolling.has(deploymentId), this.sleep, this.options.pollHoldMs);
    const { deploymentId: id, state, reason } = await this.deployments.get(deploymentId)!;
    return { deploymentId: id, state, ...(reason ? { reason } : {}), serving: env.active?.release.version };
  }

  /** The baseline and the canary beside it, if any; undefined when nothing was ever deployed. */
  async split(pipeline: string, environment: string): Promise<TrafficSplit | undefined> {
    const env = await this.env(pipeline, environment);
    await env.queue;
    return splitOf(env);
  }

  /** Gives the running canary `percent` of new requests (TrafficRouter.shift). */
  async shiftCanary(
    pipeline: string,
    environment: string,
    version: string,
    percent: number,
  ): Promise<TrafficSplit> {
    if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
      throw new InvalidInputError(`canary percent must be an integer from 0 to 100, got ${percent}`);
    }
    const env = await this.env(pipeline, environment);
    return this.serialise(env, async () => {
      const canary = this.runningCanary(env, version);
      if (canary.percent !== percent) {
        env.canary = { ...canary, percent };
        this.applyRoutes(env);
        await this.saveState(env);
      }
      return splitOf(env)!;
    });
  }

  /** Baseline takes every request again and the canary stops; nothing to do when it is not running. */
  async abortCanary(
    pipeline: string,
    environment: string,
    version: string,
    reason: string,
  ): Promise<TrafficSplit | undefined> {
    const env = await this.env(pipeline, environment);
    return this.serialise(env, async () => {
      const canary = env.canary;
      if (canary?.release.version !== version) return splitOf(env);
      env.canary = undefined;
      this.applyRoutes(env);
      await this.saveState(env);
      await appendFile(
        canary.app.logFile,
        `--- tollgate: canary aborted at ${this.clock.now().toISOString()}: ${reason}\n`,
      ).catch(() => undefined); // the log line is a courtesy; the abort has happened
      await this.stopApp(env, canary.app);
      return splitOf(env);
    });
  }

  /** The canary becomes the environment's release and the old baseline stops. Idempotent. */
  async completeCanary(pipeline: string, environment: string, version: string): Promise<TrafficSplit> {
    const env = await this.env(pipeline, environment);
    return this.serialise(env, async () => {
      if (!env.canary && env.active?.release.version === version) return splitOf(env)!;
      const canary = this.runningCanary(env, version);
      const old = env.active;
      env.active = { release: canary.release, app: canary.app, startedAt: canary.startedAt };
      env.canary = undefined;
      if (old) env.previous = old.release;
      this.applyRoutes(env);
      await this.saveState(env);
      if (old) await this.stopApp(env, old.app);
      return splitOf(env)!;
    });
  }

  /** The port of the process running `version` in the environment (its release or its canary). */
  async appPort(environment: string, version: string): Promise<number> {
    const env = await this.env(this.options.config.name, environment);
    for (const running of [env.active, env.canary]) {
      if (running?.release.version === version) return running.app.port;
    }
    throw new NotFoundError(
      `release "${version}" is not running in environment "${env.name}"${describe(env)}`,
    );
  }

  async current(pipeline: string, environment: string): Promise<string | undefined> {
    return (await this.env(pipeline, environment)).active?.release.version;
  }

  /** What served before the active release, if this deployer swapped it out. */
  async previous(pipeline: string, environment: string): Promise<ReleaseRef | undefined> {
    return (await this.env(pipeline, environment)).previous;
  }

  /** Stops the active instance (rollback with nothing to go back to). Returns the stopped version. */
  async stop(pipeline: string, environment: string): Promise<string | undefined> {
    const env = await this.env(pipeline, environment);
    return this.serialise(env, async () => {
      const active = env.active;
      if (!active) return undefined;
      const canary = env.canary;
      env.active = undefined;
      env.canary = undefined;
      this.applyRoutes(env);
      await this.saveState(env);
      await this.stopApp(env, active.app);
      if (canary) await this.stopApp(env, canary.app);
      return active.release.version;
    });
  }

  /** Brings every configured process environment up (re-adopt or restart); call once at start-up. */
  async resume(): Promise<ResumeReport[]> {
    const names = this.options.config.environments
      .filter((e) => e.deploy.type === 'process')
      .map((e) => e.name);
    return Promise.all(names.map(async (name) => (await this.env(this.options.config.name, name)).resume));
  }

  /** The counters of an environment's proxy, for ProxyMetricsSource. */
  async requestLog(environment: string): Promise<RequestLog> {
    return (await this.env(this.options.config.name, environment)).proxy.log;
  }

  /** Base URL of the environment's proxy. */
  async url(environment: string): Promise<string> {
    const env = await this.env(this.options.config.name, environment);
    return `http://${env.proxy.host}:${env.proxy.port}`;
  }

  /** Waits for running rollouts, closes the proxies and, unless `keepApps`, stops the apps. */
  async close(options: { keepApps?: boolean } = {}): Promise<void> {
    const envs = await Promise.allSettled([...this.envs.values()]);
    this.envs.clear();
    for (const result of envs) {
      if (result.status !== 'fulfilled') continue;
      const env = result.value;
      await env.queue;
      await env.proxy.close();
      if (options.keepApps) continue;
      if (env.active) await this.stopApp(env, env.active.app);
      if (env.canary) await this.stopApp(env, env.canary.app);
    }
  }

  private async begin(deploymentId: string, request: DeployRequest): Promise<DeploymentRecord> {
    const env = await this.env(request.pipeline, request.environment);
    const stored = await readJson<DeploymentRecord>(this.recordPath(env, deploymentId));
    if (stored) return this.continueInterrupted(env, stored);
    const record: DeploymentRecord = {
      deploymentId,
      state: 'IN_PROGRESS',
      environment: env.name,
      release: request.release,
      idempotencyKey: request.idempotencyKey,
      startedAt: this.clock.now().toISOString(),
      ...(request.mode === 'canary' ? { mode: 'canary' as const } : {}),
    };
    await writeJson(this.recordPath(env, deploymentId), record);
    this.runRollout(env, record);
    return record;
  }

  /**
   * A rollout recorded IN_PROGRESS by a Tollgate process that has gone (killed or stopped mid
   * rollout). Failing it would fail the run for the crash alone; the record holds the release, so
   * the rollout runs again: at-least-once, like the task that asked for it. An app the dead process
   * had half-started was stopped at start-up (app-records.ts); a swap that had already happened
   * needs no second rollout.
   */
  private continueInterrupted(env: EnvRuntime, stored: DeploymentRecord): DeploymentRecord {
    if (stored.state !== 'IN_PROGRESS') return stored;
    if (!stored.release) {
      return { ...stored, state: 'FAILED', reason: 'rollout interrupted, and its record names no release' };
    }
    this.runRollout(env, stored);
    return stored;
  }

  private runRollout(env: EnvRuntime, record: DeploymentRecord): void {
    this.rolling.add(record.deploymentId);
    void this.serialise(env, async () => {
      const version = record.release.version;
      const running =
        env.active?.release.version === version ||
        (record.mode === 'canary' && env.canary?.release.version === version);
      const outcome = running
        ? { state: 'HEALTHY' as const }
        : await this.rollout(env, record.release, record.mode ?? 'replace').catch((error: Error) => ({
            state: 'FAILED' as const,
            reason: error.message.split('\n')[0],
          }));
      const done: DeploymentRecord = { ...record, ...outcome };
      await writeJson(this.recordPath(env, record.deploymentId), done);
      this.deployments.set(record.deploymentId, Promise.resolve(done));
    }).finally(() => this.rolling.delete(record.deploymentId));
  }

  /**
   * Replace: the new instance takes every request once healthy and the old one stops. Canary (with
   * a release serving): the new instance runs beside it at 0% until TrafficRouter.shift; a canary
   * already running for another release is superseded. With nothing serving, canary is replace.
   */
  private async rollout(
    env: EnvRuntime,
    release: ReleaseRef,
    mode: DeployMode,
  ): Promise<Pick<DeploymentStatus, 'state' | 'reason'>> {
    const releaseDir = await this.materialise(env, release);
    const launched = await this.launch(env, release, releaseDir);
    if (!launched.healthy) return { state: 'FAILED', reason: launched.reason };
    const started = { release, app: launched.app, startedAt: this.clock.now().toISOString() };
    const old = env.active;
    const oldCanary = env.canary;
    if (mode === 'canary' && old) {
      env.canary = { ...started, percent: 0 };
    } else {
      env.active = started;
      env.canary = undefined;
      if (old && old.release.version !== release.version) env.previous = old.release;
    }
    this.applyRoutes(env);
    await this.saveState(env);
    if (oldCanary) await this.stopApp(env, oldCanary.app);
    if (old && env.active !== old) await this.stopApp(env, old.app);
    return { state: 'HEALTHY' };
  }

  private runningCanary(env: EnvRuntime, version: string): Canary {
    const canary = env.canary;
    if (canary?.release.version === version) return canary;
    throw new NotFoundError(`no canary of "${version}" runs in environment "${env.name}"${describe(env)}`);
  }

  /** Points the proxy at what runs now; sticky pinning comes from the environment's strategy. */
  private applyRoutes(env: EnvRuntime): void {
    const strategy = env.config.strategy;
    const target = (running?: Active) =>
      running ? { port: running.app.port, version: running.release.version } : undefined;
    const baseline = target(env.active);
    const canary = target(env.canary);
    env.proxy.route({
      ...(baseline ? { baseline } : {}),
      ...(canary ? { canary } : {}),
      canaryPercent: env.canary?.percent ?? 0,
      sticky: strategy.type !== 'all-at-once' && strategy.sticky,
    });
  }

  /** Unpacks the release once; a redeploy (rollback) reuses the directory. */
  private async materialise(env: EnvRuntime, release: ReleaseRef): Promise<string> {
    const dir = join(env.dir, 'releases', release.version);
    if (!existsSync(dir)) {
      const source = await this.options.artifacts.open(release.artifactKey);
      await unpackRelease(source, dir, release.digest);
    }
    // The digest is only known after the build, so the app learns it from this file (for /version).
    const { version, commit, digest, imageDigest } = release;
    await writeJson(join(dir, 'release.json'), {
      version,
      commit,
      digest,
      ...(imageDigest ? { imageDigest } : {}),
    });
    return dir;
  }

  private async launch(env: EnvRuntime, release: ReleaseRef, cwd: string) {
    const port = await freePort();
    const logFile = join(env.dir, 'logs', `${release.version}.log`);
    const vars: Record<string, string> = {
      PORT: String(port),
      ...releaseEnvironment(this.options.config.name, env.name, release),
    };
    if (env.config.database?.port) {
      // The volume served on the environment's port is named after the environment (databasePorts).
      const password = await loadOrCreateDatabasePassword(this.options.dataDir, env.name);
      vars.DATABASE_URL = localDatabaseUrl('127.0.0.1', env.config.database.port, password);
    }
    const app = await AppProcess.start(
      { command: env.config.deploy.command, cwd, port, env: vars, logFile },
      this.clock,
      (pid) => env.apps.record({ pid, port, version: release.version, at: this.clock.now().toISOString() }),
    );
    const outcome = await waitHealthy({
      app,
      healthPath: env.config.deploy.healthPath,
      clock: this.clock,
      sleep: this.sleep,
      deadline: this.clock.now().getTime() + env.config.deployTimeout * 1_000,
      intervalMs: this.options.healthIntervalMs ?? 250,
      unhealthyThreshold: this.options.unhealthyThreshold ?? 10,
      probeTimeoutMs: this.options.probeTimeoutMs ?? 2_000,
    });
    if (outcome.healthy) return { healthy: true as const, app };
    await this.stopApp(env, app);
    const tail = await tailLines(logFile, 10);
    const logs = tail.length ? `; last log lines: ${tail.join(' | ')}` : '';
    return { healthy: false as const, reason: `${release.version} in ${env.name}: ${outcome.reason}${logs}` };
  }

  private envConfig(pipeline: string, environment: string) {
    const config = this.options.config;
    if (pipeline !== config.name) {
      throw new InvalidInputError(
        `pipeline "${pipeline}" is not served by this deployer (it serves "${config.name}")`,
      );
    }
    const env = config.environments.find((e) => e.name === environment);
    if (!env) {
      const known = config.environments.map((e) => e.name).join(', ');
      throw new InvalidInputError(`environment "${environment}" is not in the config (known: ${known})`);
    }
    if (env.deploy.type !== 'process') {
      throw new InvalidInputError(
        `environment "${environment}" deploys to ${env.deploy.type}, not a local process`,
      );
    }
    return env as EnvRuntime['config'];
  }

  private env(pipeline: string, environment: string): Promise<EnvRuntime> {
    const config = this.envConfig(pipeline, environment);
    let env = this.envs.get(environment);
    if (!env) {
      env = this.open(config);
      this.envs.set(environment, env);
      env.catch(() => this.envs.delete(environment));
    }
    return env;
  }

  private async open(config: EnvRuntime['config']): Promise<EnvRuntime> {
    const dir = join(this.options.dataDir, 'envs', config.name);
    await mkdir(join(dir, 'logs'), { recursive: true });
    await mkdir(join(dir, 'deployments'), { recursive: true });
    const proxy = new EnvProxy({ environment: config.name, port: config.deploy.port, clock: this.clock });
    await proxy.listen();
    const env: EnvRuntime = {
      name: config.name,
      config,
      dir,
      proxy,
      apps: new AppRecords(join(dir, 'apps')),
      queue: Promise.resolve(),
      resume: { environment: config.name, action: 'none' },
    };
    const state = await readJson<StateFile>(join(dir, 'state.json'));
    env.previous = state?.previous ?? undefined;
    const saved = state?.active ?? undefined;
    const savedCanary = state?.canary ?? undefined;
    // Apps started but never made active (a crash mid-rollout), or a recorded one that no longer
    // answers, are stopped, so none is left orphaned; only adopted instances keep running.
    const adopted = saved ? await this.adopt(env, saved) : undefined;
    const adoptedCanary = saved && savedCanary ? await this.adopt(env, savedCanary) : undefined;
    const keep = [adopted, adoptedCanary].flatMap((a) => (a ? [a.app.pid] : []));
    await env.apps.reap(keep, this.options.stopGraceMs ?? 5_000, this.sleep);
    if (!saved) return env;
    const restarted = adopted ? { active: adopted } : await this.relaunch(env, saved);
    env.active = restarted.active;
    const version = saved.release.version;
    if (!env.active) {
      // state.json keeps the release as active so the next start-up tries again.
      env.resume = { environment: config.name, action: 'failed', version, reason: restarted.reason };
      return env;
    }
    env.resume = { environment: config.name, action: adopted ? 'adopted' : 'restarted', version };
    if (savedCanary) {
      // The split survives a restart: the canary comes back with its share, or is dropped (and the
      // baseline takes every request) when it cannot start, which an abort would have done anyway.
      const back = adoptedCanary ? { active: adoptedCanary } : await this.relaunch(env, savedCanary);
      const canary = back.active;
      const action: ResumeAction = canary ? (adoptedCanary ? 'adopted' : 'restarted') : 'failed';
      if (canary) env.canary = { ...canary, percent: savedCanary.percent };
      env.resume = {
        ...env.resume,
        canary: {
          version: savedCanary.release.version,
          percent: canary ? savedCanary.percent : 0,
          action,
          ...(back.reason ? { reason: back.reason } : {}),
        },
      };
    }
    this.applyRoutes(env);
    if (!adopted || savedCanary?.pid !== env.canary?.app.pid) await this.saveState(env);
    return env;
  }

  /** The recorded instance, if its process still runs and answers its health check. */
  private async adopt(env: EnvRuntime, saved: SavedApp): Promise<Active | undefined> {
    if (!isGroupAlive(saved.pid)) return undefined;
    const answer = await probe(saved.port, env.config.deploy.healthPath, 2_000);
    if (!answer || !('status' in answer) || answer.status < 200 || answer.status >= 300) return undefined;
    const logFile = join(env.dir, 'logs', `${saved.release.version}.log`);
    return {
      release: saved.release,
      app: AppProcess.adopt(saved.pid, saved.port, logFile),
      startedAt: saved.startedAt,
    };
  }

  /** Starts the recorded release again after its process was lost; the reason when it cannot. */
  private async relaunch(env: EnvRuntime, saved: SavedApp): Promise<{ active?: Active; reason?: string }> {
    const restarted = await this.launch(env, saved.release, await this.materialise(env, saved.release)).catch(
      (error: Error) => ({ healthy: false as const, reason: error.message }),
    );
    if (!restarted.healthy) return { reason: restarted.reason };
    return {
      active: { release: saved.release, app: restarted.app, startedAt: this.clock.now().toISOString() },
    };
  }

  private async stopApp(env: EnvRuntime, app: AppProcess): Promise<void> {
    await app.stop(this.options.stopGraceMs ?? 5_000, this.sleep);
    await env.apps.forget(app.pid);
  }

  private serialise<T>(env: EnvRuntime, work: () => Promise<T>): Promise<T> {
    const run = env.queue.then(work);
    env.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private saveState(env: EnvRuntime): Promise<void> {
    const saved = (running: Active): SavedApp => ({
      release: running.release,
      pid: running.app.pid,
      port: running.app.port,
      startedAt: running.startedAt,
    });
    const { active, canary } = env;
    const state: StateFile = {
      active: active ? saved(active) : null,
      previous: env.previous ?? null,
      canary: canary ? { ...saved(canary), percent: canary.percent } : null,
    };
    return writeJson(join(env.dir, 'state.json'), state);
  }

  private recordPath(env: EnvRuntime, deploymentId: string): string {
    return join(env.dir, 'deployments', `${deploymentId.split(':')[2]}.json`);
  }
}

function splitOf(env: EnvRuntime): TrafficSplit | undefined {
  if (!env.active) return undefined;
  const canary = env.canary;
  return {
    baseline: env.active.release.version,
    ...(canary ? { canary: canary.release.version } : {}),
    canaryPercent: canary?.percent ?? 0,
  };
}

/** What runs in the environment, for error messages. */
function describe(env: EnvRuntime): string {
  const running = [env.active, env.canary].flatMap((r) => (r ? [r.release.version] : []));
  return running.length ? ` (running: ${running.join(', ')})` : ' (nothing runs there)';
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Write-then-rename so a crash never leaves a torn state file. */
async function writeJson(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`);
  await rename(tmp, path);
}
