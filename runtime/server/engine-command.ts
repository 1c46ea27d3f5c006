import { join } from 'node:path';
import { DirArtifactStore } from '../../functions/shared/adapters/local/dir-artifact-store.js';
import { ArtifactStoreMapObjects } from '../engine/artifact-map-objects.js';
import { SystemEngineClock } from '../engine/clock.js';
import { createEngine } from '../engine/engine.js';
import { FunctionMapLambdaInvoker } from '../engine/lambda/function-map-lambda-invoker.js';
import { FileLogStore } from '../store/file-log-store.js';
import { type ApiServer, createApiServer } from './api-server.js';
import { loadOrCreateCredentials } from './credentials.js';
import { ApiServerError } from './errors.js';

export interface EngineCommandOptions {
  /** @default 4600 */
  readonly port?: number;
  /** @default '.tollgate' */
  readonly dataDir?: string;
  /** JSON map of function name → `./module.js#export`; without it every Lambda task fails as unknown. */
  readonly functions?: string;
  /** Where the start-up line goes. @default console.log */
  readonly print?: (line: string) => void;
  /** Close on SIGINT/SIGTERM. @default true */
  readonly handleSignals?: boolean;
}

export interface RunningEngine {
  readonly endpoint: string;
  /** Resolves once the engine has shut down, whether by close() or a signal. */
  readonly stopped: Promise<void>;
  close(): Promise<void>;
}

/**
 * `tollgate engine`: the durable local Step Functions engine on its own. Opens the store in the
 * data directory (taking its lock), replays it so open executions resume, and serves the AWS API
 * on loopback with the data directory's SigV4 credentials.
 */
export async function runEngineCommand(options: EngineCommandOptions = {}): Promise<RunningEngine> {
  const port = options.port ?? 4600;
  const dataDir = options.dataDir ?? '.tollgate';
  const print = options.print ?? ((line: string) => console.log(line));
  if (typeof dataDir !== 'string' || dataDir.length === 0) {
    throw new ApiServerError(`--data-dir must be a non-empty path, got ${JSON.stringify(dataDir)}`);
  }
  if (
    options.functions !== undefined &&
    (typeof options.functions !== 'string' || options.functions.length === 0)
  ) {
    throw new ApiServerError(
      `--functions must be a path to a JSON map, got ${JSON.stringify(options.functions)}`,
    );
  }
  // The map is read before the store is opened, so a bad map leaves the data directory untouched.
  const lambda = options.functions
    ? await FunctionMapLambdaInvoker.fromFile(options.functions)
    : FunctionMapLambdaInvoker.fromObject({}, process.cwd());
  const credentials = await loadOrCreateCredentials(dataDir);
  const store = await FileLogStore.open(dataDir);
  // A distributed Map's ItemReader and ResultWriter buckets: one directory per bucket.
  const objects = new ArtifactStoreMapObjects(new DirArtifactStore(join(dataDir, 'objects')));
  const engine = createEngine({ store, clock: new SystemEngineClock(), lambda, objects });
  let api: ApiServer;
  try {
    await engine.start();
    api = await createApiServer({ services: [engine.service], credentials, port });
  } catch (error) {
    await engine.close().catch(() => undefined);
    throw error;
  }

  let finish: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    finish = resolve;
  });
  let closing: Promise<void> | null = null;
  const onSignal = () => void close();
  const close = () => {
    closing ??= (async () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      try {
        await api.close();
      } finally {
        await engine.close();
        finish();
      }
    })();
    return closing;
  };
  if (options.handleSignals ?? true) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  print(`Tollgate engine listening on ${api.endpoint} (data in ${dataDir})`);
  return { endpoint: api.endpoint, stopped, close };
}
