import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { constants, existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { z } from 'zod';
import type { Clock } from '../../functions/shared/clock.js';
import type { TollgateConfig } from '../../functions/shared/config/schema.js';
import { BuildFailedError, InvalidInputError } from '../../functions/shared/errors.js';
import type { TaskLogSink } from '../../functions/shared/ports/task-logs.js';
import type { EngineClock } from '../engine/clock.js';
import { BoundedLog } from './bounded-log.js';

/**
 * Stands in for CodeBuild's startBuild.sync: takes the same Arguments, runs `build.command` in a
 * clean `git worktree` of exactly that commit (so uncommitted files can never leak into a release),
 * and leaves the tarball at the key the plan chose. The result has CodeBuild's shape so the ASL's
 * Output expressions work unchanged.
 */
export interface LocalBuilderOptions {
  readonly config: TollgateConfig;
  /** Repository name → working copy on disk. */
  readonly repositories: Readonly<Record<string, string>>;
  /** Root of the local ArtifactStore (`<root>/<key>` per object). */
  readonly artifactsRoot: string;
  readonly logsDir: string;
  readonly clock: Clock;
  /** Arms `build.timeout`: the engine's clock, so a test moves time instead of waiting it out. */
  readonly timers: EngineClock;
  /**
   * Where the build's output goes line by line, as the task functions' logs do, so the console's
   * Build stage and `tollgate logs --stage build` show it (bounded there per state).
   */
  readonly taskLog?: TaskLogSink;
}

/** The Build state passes its execution's id, so a build can be stopped when its run ends. */
const EXECUTION_ARN_VARIABLE = 'TOLLGATE_EXECUTION_ARN';
/** …and its own name, which the build's log lines carry as a task's lines do. */
const STATE_NAME_VARIABLE = 'TOLLGATE_STATE_NAME';
/** A longer line is cut in the task log (the build's log file keeps it whole). */
const MAX_LOG_LINE = 2_000;

export interface LocalBuilder {
  (event: unknown): Promise<LocalBuildResult>;
  /**
   * Kills the builds of a run that ended (stopped, timed out, failed); resolves, with how many,
   * once their processes are gone.
   */
  cancel(executionArn: string, reason: string): Promise<number>;
  /**
   * Kills every build (the runtime is shutting down). Builds lead process groups of their own, so
   * a Ctrl-C to `tollgate up` would not reach them; the run resumes and rebuilds after a restart.
   */
  cancelAll(reason: string): Promise<number>;
}

type LocalBuildResult = Awaited<ReturnType<ReturnType<typeof buildFunction>>>;

/** Kills a build's whole process group (`sh -c` and everything it started); resolves once it exited. */
type Stop = (reason: string) => Promise<void>;

const buildArguments = z.object({
  ProjectName: z.string().min(1),
  SourceVersion: z.string().regex(/^[0-9a-f]{40}$/, 'must be a 40-hex commit id'),
  EnvironmentVariablesOverride: z
    .array(z.object({ Name: z.string(), Value: z.string(), Type: z.string().optional() }))
    .default([]),
});

export function createLocalBuilder(options: LocalBuilderOptions): LocalBuilder {
  const running = new Map<string, Set<Stop>>();
  const build = buildFunction(options, running);
  return Object.assign(build, {
    async cancel(executionArn: string, reason: string): Promise<number> {
      const stops = [...(running.get(executionArn) ?? [])];
      await Promise.all(stops.map((stop) => stop(reason)));
      return stops.length;
    },
    async cancelAll(reason: string): Promise<number> {
      const stops = [...running.values()].flatMap((set) => [...set]);
      await Promise.all(stops.map((stop) => stop(reason)));
      return stops.length;
    },
  });
}

function buildFunction(options: LocalBuilderOptions, running: Map<string, Set<Stop>>) {
  return async function localBuild(event: unknown) {
    const parsed = buildArguments.safeParse(event);
    if (!parsed.success) throw new InvalidInputError(`local build: ${parsed.error.issues[0]?.message}`);
    const args = parsed.data;
    const env = Object.fromEntries(args.EnvironmentVariablesOverride.map((v) => [v.Name, v.Value]));
    const artifactKey = env.TOLLGATE_ARTIFACT_KEY;
    if (!artifactKey)
      throw new InvalidInputError('local build: TOLLGATE_ARTIFACT_KEY is missing from the overrides');
    const repoDir = options.repositories[options.config.source.repository];
    if (!repoDir) {
      throw new BuildFailedError(
        `no local working copy registered for repository "${options.config.source.repository}"`,
      );
    }
    const id = `${args.ProjectName}:${randomUUID()}`;
    const startTime = options.clock.now();
    const logFile = join(options.logsDir, 'builds', `${args.SourceVersion}-${id.split(':')[1]}.log`);
    await mkdir(dirname(logFile), { recursive: true });
    const worktree = await mkdtemp(join(tmpdir(), 'tollgate-build-'));
    const executionArn = env[EXECUTION_ARN_VARIABLE];
    const stateName = env[STATE_NAME_VARIABLE];
    const sink = options.taskLog;
    const log = new BoundedLog(
      logFile,
      {},
      sink && executionArn && stateName
        ? (line) =>
            sink.write({
              timestamp: options.clock.now().toISOString(),
              level: 'INFO',
              message: line.length > MAX_LOG_LINE ? `${line.slice(0, MAX_LOG_LINE)}…` : line,
              service: 'build',
              executionArn,
              stateName,
            })
        : undefined,
    );
    try {
      await run(
        'git',
        ['-C', repoDir, 'worktree', 'add', '--detach', '--force', worktree, args.SourceVersion],
        log,
      );
      const timeout = options.config.build.timeout;
      await run(
        'sh',
        ['-c', options.config.build.command],
        log,
        worktree,
        { ...env, TOLLGATE_COMMIT: args.SourceVersion },
        (stop) => {
          const timer = options.timers.setTimer(options.timers.now() + timeout * 1000, () => {
            void stop(`build.command ran longer than build.timeout (${timeout}s)`);
          });
          const stops = executionArn ? (running.get(executionArn) ?? new Set<Stop>()) : undefined;
          if (executionArn && stops) running.set(executionArn, stops.add(stop));
          return () => {
            timer.cancel();
            stops?.delete(stop);
            if (executionArn && stops?.size === 0) running.delete(executionArn);
          };
        },
      );
      const produced = resolve(worktree, options.config.build.artifact);
      if (!produced.startsWith(worktree + sep) || !existsSync(produced)) {
        throw new BuildFailedError(
          `build.command finished but did not produce build.artifact "${options.config.build.artifact}" (log: ${logFile})`,
        );
      }
      await publish(produced, join(options.artifactsRoot, artifactKey));
    } finally {
      await run('git', ['-C', repoDir, 'worktree', 'remove', '--force', worktree], log).catch(
        () => undefined,
      );
      await rm(worktree, { recursive: true, force: true });
      await log.close();
    }
    return {
      Build: {
        Id: id,
        BuildStatus: 'SUCCEEDED',
        ProjectName: args.ProjectName,
        SourceVersion: args.SourceVersion,
        StartTime: startTime.toISOString(),
        EndTime: options.clock.now().toISOString(),
        Artifacts: { Location: artifactKey },
        Logs: { DeepLink: logFile },
      },
    };
  };
}

/** Copy (reflink where possible) to a temp name, then rename: a crash never leaves half a tarball. */
async function publish(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  const temp = `${to}.${randomUUID()}.tmp`;
  await copyFile(from, temp, constants.COPYFILE_FICLONE);
  await rename(temp, to);
}

/**
 * Runs one command with its output in the bounded log. `guard` arms what may stop it early (the
 * build timeout, the run ending) and returns the disarm. The child leads a process group of its
 * own (detached), so stopping it kills everything the build command started, not only `sh`.
 */
function run(
  command: string,
  args: string[],
  log: BoundedLog,
  cwd?: string,
  env?: Record<string, string>,
  guard?: (stop: Stop) => () => void,
) {
  return new Promise<void>((resolvePromise, reject) => {
    log.note(`$ ${command} ${args.join(' ')}`);
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stoppedBecause: string | undefined;
    const closed = new Promise<void>((resolveClosed) => {
      child.once('close', () => resolveClosed());
      child.once('error', () => resolveClosed());
    });
    const disarm = guard?.((reason) => {
      if (stoppedBecause === undefined && child.exitCode === null) {
        stoppedBecause = reason;
        killGroup(child.pid);
      }
      return closed;
    });
    child.stdout.on('data', (chunk: Buffer) => log.write(chunk, 'stdout'));
    child.stderr.on('data', (chunk: Buffer) => log.write(chunk, 'stderr'));
    child.on('error', (error) => {
      disarm?.();
      reject(new BuildFailedError(`cannot run ${command}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      disarm?.();
      // A build that exited may still have left children in its group: never leave them running.
      killGroup(child.pid);
      if (code === 0 && stoppedBecause === undefined) {
        resolvePromise();
        return;
      }
      const what = args[0] === '-c' ? args[1] : args.join(' ');
      // The last few lines, each cut to its end: what an error quotes stays short however the
      // build writes (one 10 MB line included).
      const last = log
        .lastOutput(4_000)
        .split('\n')
        .filter((line) => line.trim())
        .slice(-5)
        .map((line) => (line.length > 300 ? `…${line.slice(-300)}` : line))
        .join(' | ');
      const dropped = log.total > 4_000 ? ` (earlier output: ${log.path})` : '';
      reject(
        new BuildFailedError(
          stoppedBecause !== undefined
            ? `${what} was stopped with its whole process tree: ${stoppedBecause}${last ? `; last output: ${last}` : ''}`
            : `${command} ${what} exited with ${code ?? signal}: ${last}${dropped}`,
        ),
      );
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
  }
}
