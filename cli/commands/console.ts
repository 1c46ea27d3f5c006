import { resolve } from 'node:path';
import { loadConfig } from '../../functions/shared/config/index.js';
import { readRuntimeInfo } from '../../runtime/up/runtime-info.js';
import { startAwsConsole } from '../aws/aws-console.js';
import {
  type CommonOptions,
  createTarget,
  dataDirOf,
  endpointOf,
  notRunning,
  setting,
} from '../client/cli-context.js';
import { emit } from '../client/output.js';

export interface ConsoleOptions extends CommonOptions {
  readonly port?: number;
  readonly repo?: string;
}

/**
 * `tollgate console`: locally, where `tollgate up` serves the console; with `--aws`, serves the
 * console on loopback against the deployed stack until interrupted.
 */
export async function consoleCommand(
  options: ConsoleOptions,
  signals: { once(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown } = process,
): Promise<void> {
  if (!options.aws) {
    const dataDir = dataDirOf(options);
    const endpoint = endpointOf(options, dataDir);
    // Without a runtime record and without an endpoint named, nothing serves the console.
    const named = options.endpoint ?? setting('TOLLGATE_ENDPOINT');
    if (!named && !readRuntimeInfo(dataDir)) throw notRunning(endpoint);
    emit(options.json, { url: `${endpoint}/console` }, () => [`the console: ${endpoint}/console`]);
    return;
  }
  const config = await loadConfig(resolve(options.repo ?? '.'));
  const target = createTarget({ ...options, aws: true });
  const served = await startAwsConsole({
    target,
    config,
    port: options.port,
    sourceDir: resolve(options.repo ?? '.'),
  });
  emit(options.json, { url: served.url, stack: target.where.replace(/^stack /, '') }, () => [
    `the console for ${target.where}: ${served.url}`,
    'it reads with your AWS credentials and decides as the identity they sign as; Ctrl-C stops it',
  ]);
  await new Promise<void>((done) => {
    const stop = () => {
      served.close().then(done, done);
    };
    signals.once('SIGINT', stop);
    signals.once('SIGTERM', stop);
  });
}
