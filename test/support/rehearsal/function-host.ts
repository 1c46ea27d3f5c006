import { type ChildProcess, fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type {
  LambdaFunctionError,
  LambdaInvocationResult,
  LambdaInvoker,
} from '../../../runtime/asl/task/lambda-invoker.js';
import { LambdaFunctionNotFoundError } from '../../../runtime/asl/task/lambda-invoker.js';
import type { FunctionModel } from './template-model.js';
import { REGION } from './template-model.js';

const WORKER = join(import.meta.dirname, 'lambda-worker.mjs');

/** The access key a role's sessions sign with; the recording proxy maps it back to the role. */
export function accessKeyFor(roleArn: string): string {
  return `ASIA${createHash('sha256').update(roleArn).digest('hex').slice(0, 16).toUpperCase()}`;
}

export interface FunctionHostOptions {
  /** How far the engine's clock runs ahead of the wall clock; the functions read that time too. */
  readonly clockOffsetMs?: () => number;
  readonly functions: readonly FunctionModel[];
  readonly assets: ReadonlyMap<string, string>;
  /** Where every AWS SDK call of the functions goes (the recording proxy). */
  readonly endpoint: string;
  /** Called before each invocation: the state machine role's `lambda:InvokeFunction` check. */
  readonly beforeInvoke?: (fn: FunctionModel) => Promise<void>;
  readonly log?: (line: string) => void;
}

interface Container {
  readonly child: ChildProcess;
  busy: boolean;
}

/**
 * Runs each function from its synthesized bundle in child processes ("containers", reused between
 * invocations like Lambda's warm starts), with the template's Environment, AWS_ENDPOINT_URL at the
 * recording proxy, and credentials that identify the function's own role. Concurrent invocations
 * of one function get concurrent containers, as Lambda scales out.
 */
export class FunctionHost implements LambdaInvoker {
  private readonly byArn = new Map<string, FunctionModel>();
  private readonly containers = new Map<string, Container[]>();
  private nextId = 0;

  constructor(private readonly options: FunctionHostOptions) {
    for (const fn of options.functions) {
      const dir = options.assets.get(fn.assetHash);
      if (!dir || !existsSync(join(dir, 'index.mjs')))
        throw new Error(`function ${fn.logicalId}: no bundle in cdk.out for asset ${fn.assetHash}`);
      this.byArn.set(fn.arn, fn);
    }
  }

  byLogicalIdPrefix(prefix: string): FunctionModel {
    const fn = [...this.byArn.values()].find((f) => f.logicalId.startsWith(prefix));
    if (!fn) throw new Error(`no function whose logical id starts with ${prefix}`);
    return fn;
  }

  async invoke(functionArn: string, payload: unknown): Promise<LambdaInvocationResult> {
    const fn = this.byArn.get(functionArn.replace(/:\$LATEST$/, ''));
    if (!fn) throw new LambdaFunctionNotFoundError(functionArn);
    await this.options.beforeInvoke?.(fn);
    return this.invokeAs(fn, payload);
  }

  /** Invokes without the state machine's permission check (a function URL, an EventBridge rule). */
  async invokeAs(fn: FunctionModel, payload: unknown): Promise<LambdaInvocationResult> {
    const container = this.acquire(fn);
    const id = ++this.nextId;
    const timeoutMs = fn.timeoutSeconds * 1000;
    try {
      return await new Promise<LambdaInvocationResult>((resolve, reject) => {
        const timer = setTimeout(() => {
          cleanup();
          this.discard(fn, container);
          resolve({
            error: {
              errorType: 'Sandbox.Timedout',
              errorMessage: `Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`,
            },
          });
        }, timeoutMs);
        const onMessage = (m: { id: number; result?: unknown; error?: LambdaFunctionError }) => {
          if (m.id !== id) return;
          cleanup();
          resolve(m.error ? { error: m.error } : { payload: m.result });
        };
        const onExit = (code: number | null) => {
          cleanup();
          this.discard(fn, container);
          reject(new Error(`${fn.logicalId}: its container exited with ${code} during an invocation`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          container.child.off('message', onMessage);
          container.child.off('exit', onExit);
        };
        container.child.on('message', onMessage);
        container.child.once('exit', onExit);
        container.child.send({
          id,
          event: payload,
          timeoutMs,
          offsetMs: this.options.clockOffsetMs?.() ?? 0,
        });
      });
    } finally {
      container.busy = false;
    }
  }

  async close(): Promise<void> {
    const all = [...this.containers.values()].flat();
    this.containers.clear();
    await Promise.all(
      all.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.child.exitCode !== null) return resolve();
            c.child.once('exit', () => resolve());
            c.child.kill('SIGTERM');
          }),
      ),
    );
  }

  private acquire(fn: FunctionModel): Container {
    const pool = this.containers.get(fn.arn) ?? [];
    this.containers.set(fn.arn, pool);
    const idle = pool.find((c) => !c.busy && c.child.exitCode === null);
    if (idle) {
      idle.busy = true;
      return idle;
    }
    const dir = this.options.assets.get(fn.assetHash)!;
    const [, exportName] = fn.handler.split('.');
    const child = fork(WORKER, [join(dir, 'index.mjs'), exportName], {
      cwd: dir,
      // A Lambda container runs plain node: the harness's own loader flags (`--import tsx` when a
      // test starts it) must not follow the bundle, which cannot resolve them from its asset dir.
      execArgv: [],
      env: {
        PATH: process.env.PATH,
        ...fn.environment,
        AWS_REGION: REGION,
        AWS_DEFAULT_REGION: REGION,
        AWS_ENDPOINT_URL: this.options.endpoint,
        AWS_ACCESS_KEY_ID: accessKeyFor(fn.roleArn),
        AWS_SECRET_ACCESS_KEY: 'rehearsal',
        AWS_SESSION_TOKEN: `rehearsal-${fn.name}`,
        AWS_LAMBDA_FUNCTION_NAME: fn.name,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
        TOLLGATE_REHEARSAL_FUNCTION_ARN: fn.arn,
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const log = this.options.log;
    const short = fn.logicalId.replace(/^Tollgate(Task)?/, '').replace(/Function[0-9A-F]{8}$/, '');
    for (const stream of [child.stdout, child.stderr])
      stream?.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) log?.(`[${short}] ${line}`);
      });
    const container = { child, busy: true };
    pool.push(container);
    return container;
  }

  private discard(fn: FunctionModel, container: Container): void {
    const pool = this.containers.get(fn.arn) ?? [];
    this.containers.set(
      fn.arn,
      pool.filter((c) => c !== container),
    );
    container.child.kill('SIGKILL');
  }
}
