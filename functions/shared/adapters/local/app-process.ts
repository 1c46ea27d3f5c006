import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readFileSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { delimiter, isAbsolute, join } from 'node:path';
import type { Clock } from '../../clock.js';

export type Sleeper = (ms: number) => Promise<void>;
export const realSleep: Sleeper = (ms) => new Promise((done) => setTimeout(done, ms));

export interface AppLaunch {
  /** Shell command from `deploy.command`, run in the release directory. */
  readonly command: string;
  readonly cwd: string;
  readonly port: number;
  readonly env: Record<string, string>;
  /** stdout and stderr are appended here; the file outlives the Tollgate process. */
  readonly logFile: string;
}

const PLAIN_COMMAND = /^\s*[\w./:=@%+,-]+(\s+[\w./:=@%+,-]+)*\s*$/;

export type ExitInfo = { readonly code: number | null; readonly signal: string | null };

/**
 * The app starts held: a shell waits for "go" on its stdin, then execs the command (same pid, same
 * process group). Tollgate records the pid first and only then says go; if Tollgate dies in
 * between, stdin closes, `read` fails and the shell exits without ever running the app. So no app
 * runs that is not on record.
 */
const HELD = 'IFS= read -r go || exit 70; [ "$go" = go ] || exit 70; exec "$@"';

/** Called with the pid before the app runs; it must make the pid durable (see ProcessDeployer). */
export type RecordPid = (pid: number) => Promise<void>;

/**
 * One running instance of an app. It runs in its own process group (detached) so that stopping it
 * also stops whatever the shell command spawned, and so it can keep running after Tollgate exits
 * (`close({ keepApps: true })`) and be re-adopted by pid later.
 */
export class AppProcess {
  private exitInfo: ExitInfo | undefined;
  private readonly exited: Promise<ExitInfo> | undefined;

  private constructor(
    readonly pid: number,
    readonly port: number,
    readonly logFile: string,
    child?: ChildProcess,
  ) {
    if (child) {
      this.exited = new Promise((done) => {
        child.once('exit', (code, signal) => {
          this.exitInfo = { code, signal };
          done(this.exitInfo);
        });
      });
    }
  }

  static async start(launch: AppLaunch, clock: Clock, record: RecordPid): Promise<AppProcess> {
    // A plain `node src/server.mjs` is exec'd directly so the pid Tollgate holds is the app itself;
    // anything with shell syntax runs under sh. A plain program that is not there fails here, in
    // words a person can act on, before anything starts.
    const plain = PLAIN_COMMAND.test(launch.command);
    const argv = plain ? launch.command.trim().split(/\s+/) : ['/bin/sh', '-c', launch.command];
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? launch.cwd,
      ...launch.env,
    };
    if (plain && !findProgram(argv[0]!, launch.cwd, env.PATH))
      throw new Error(`could not start "${launch.command}" in ${launch.cwd}: is the program installed?`);
    const fd = openSync(launch.logFile, 'a');
    let child: ChildProcess;
    try {
      writeSync(
        fd,
        `--- tollgate: starting "${launch.command}" on port ${launch.port} at ${clock.now().toISOString()}\n`,
      );
      child = spawn('/bin/sh', ['-c', HELD, 'tollgate-app', ...argv], {
        cwd: launch.cwd,
        env,
        detached: true,
        stdio: ['pipe', fd, fd],
      });
    } finally {
      closeSync(fd); // the child holds its own copy of the descriptor
    }
    if (child.pid === undefined) {
      child.once('error', () => {}); // reported below; an unhandled 'error' would crash Tollgate
      throw new Error(`could not start "${launch.command}" in ${launch.cwd}: /bin/sh did not start`);
    }
    const app = new AppProcess(child.pid, launch.port, launch.logFile, child);
    try {
      await record(child.pid);
    } catch (error) {
      child.stdin?.end(); // no "go": the held shell exits and the app never runs
      throw error;
    }
    child.stdin?.end('go\n');
    child.unref();
    return app;
  }

  /** Wraps an instance started by an earlier Tollgate process; only its pid and port are known. */
  static adopt(pid: number, port: number, logFile: string): AppProcess {
    return new AppProcess(pid, port, logFile);
  }

  /** Exit status if this process started the app and it has exited. */
  get exit(): ExitInfo | undefined {
    return this.exitInfo;
  }

  /** True while anything in the app's process group runs, not just its first process. */
  isAlive(): boolean {
    return isGroupAlive(this.pid);
  }

  /** SIGTERM to the process group, then SIGKILL once `graceMs` has passed without an exit. */
  async stop(graceMs: number, sleep: Sleeper = realSleep): Promise<void> {
    if (!this.signal('SIGTERM')) return;
    const step = 50;
    for (let waited = 0; waited < graceMs; waited += step) {
      if (!this.isAlive()) return;
      await Promise.race([sleep(step), this.exited ?? new Promise(() => {})]);
    }
    if (this.isAlive()) this.signal('SIGKILL');
    if (this.exited) await Promise.race([this.exited, sleep(1_000)]);
  }

  private signal(name: NodeJS.Signals): boolean {
    try {
      process.kill(-this.pid, name);
      return true;
    } catch {
      return false; // already gone
    }
  }
}

/** Whether `program` would be found to exec: a path relative to `cwd`, or a name on PATH. */
function findProgram(program: string, cwd: string, path: string): boolean {
  const candidates = program.includes('/')
    ? [isAbsolute(program) ? program : join(cwd, program)]
    : path
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, program));
  return candidates.some((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * When the kernel started `pid` (clock ticks since boot, /proc/<pid>/stat field 22), so a recorded
 * pid that has since been reused by another program is told apart. Undefined without /proc.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export function isGroupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Asks the kernel for a free loopback port. Another process could take it first; the app then fails to bind and the rollout reports it. */
export async function freePort(): Promise<number> {
  return new Promise((done, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

export type ProbeResult = { readonly status: number } | { readonly error: string };

/** One GET of the health path. Any 2xx is healthy, like an ALB target group's default matcher. */
export function probe(port: number, path: string, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((done) => {
    const req = get(
      { host: '127.0.0.1', port, path, timeout: timeoutMs, headers: { connection: 'close' } },
      (res) => {
        res.resume();
        res.once('end', () => done({ status: res.statusCode ?? 0 }));
        res.once('error', (error) => done({ error: error.message }));
      },
    );
    req.once('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.once('error', (error: NodeJS.ErrnoException) => done({ error: error.code ?? error.message }));
  });
}

export interface HealthWait {
  readonly app: AppProcess;
  readonly healthPath: string;
  readonly clock: Clock;
  readonly sleep: Sleeper;
  /** Give up at this epoch ms (from the clock). */
  readonly deadline: number;
  readonly intervalMs: number;
  /** Consecutive non-2xx answers that count as a failed health check. */
  readonly unhealthyThreshold: number;
  readonly probeTimeoutMs: number;
}

export type HealthOutcome = { readonly healthy: true } | { readonly healthy: false; readonly reason: string };

/**
 * Polls the health path until it answers 2xx. Refused connections while the app boots do not
 * count against it; an app that answers but stays unhealthy, exits, or outlives the deadline fails.
 */
export async function waitHealthy(wait: HealthWait): Promise<HealthOutcome> {
  let unhealthy = 0;
  let last = 'no answer yet';
  for (;;) {
    const result = await probe(wait.app.port, wait.healthPath, wait.probeTimeoutMs);
    if ('status' in result && result.status >= 200 && result.status < 300) return { healthy: true };
    if ('status' in result) {
      unhealthy += 1;
      last = `GET ${wait.healthPath} answered ${result.status}`;
      if (unhealthy >= wait.unhealthyThreshold) {
        return { healthy: false, reason: `health check failed: ${last} ${unhealthy} times in a row` };
      }
    } else {
      unhealthy = 0;
      last = `GET ${wait.healthPath} failed: ${result.error}`;
    }
    if (!wait.app.isAlive()) {
      const exit = wait.app.exit;
      const how = exit
        ? exit.signal
          ? `was killed by ${exit.signal}`
          : `exited with code ${exit.code}`
        : 'is no longer running';
      return { healthy: false, reason: `process ${how} before becoming healthy` };
    }
    if (wait.clock.now().getTime() >= wait.deadline) {
      return { healthy: false, reason: `health check timed out (last: ${last})` };
    }
    await wait.sleep(wait.intervalMs);
  }
}

/** The last `count` non-empty lines of a log file, for failure reasons a person can act on. */
export async function tailLines(file: string, count: number): Promise<string[]> {
  return (await nonEmptyLines(file)).slice(-count);
}

/** Every non-empty line of a log file; none when it does not exist. */
export async function nonEmptyLines(file: string): Promise<string[]> {
  try {
    const text = await readFile(file, 'utf8');
    return text.split('\n').filter((line) => line.trim() !== '');
  } catch {
    return [];
  }
}
