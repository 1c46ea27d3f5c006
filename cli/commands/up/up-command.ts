import { join, resolve } from 'node:path';
import { loadConfig } from '../../../functions/shared/config/index.js';
import { runName } from '../../../model/run-name.js';
import { DEFAULT_DATA_DIR, type LocalRuntime, startLocalRuntime } from '../../../runtime/local-runtime.js';
import { redirectOutputToLog } from './log-redirect.js';
import { createProgressPrinter, type ProgressPrinter } from './progress.js';

export interface UpOptions {
  readonly dataDir?: string;
  readonly port?: number;
  readonly projectDir?: string;
  readonly demo?: boolean;
  /** Print the start-up summary as one JSON line instead of text. */
  readonly json?: boolean;
}

function consoleUrl(endpoint: string, run?: string): string {
  return run ? `${endpoint}/console/#/runs/${encodeURIComponent(run)}` : `${endpoint}/console/`;
}

/**
 * `tollgate up [--demo]`: starts the runtime, moves task logs to `<dataDir>/logs/tollgate.log`,
 * shows progress in the terminal, and stops cleanly on Ctrl-C or SIGTERM (apps keep running and
 * are re-adopted by the next start). Resolves once stopped.
 */
export async function runUp(options: UpOptions): Promise<void> {
  const dataDir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const demo = options.demo ? await import('../../../runtime/up/demo.js') : undefined;
  const projectDir = demo
    ? await demo.prepareDemoRepository(dataDir)
    : resolve(options.projectDir ?? process.cwd());
  // A bad config is reported before anything under the data directory is created.
  const config = await loadConfig(projectDir);
  const output = redirectOutputToLog(join(dataDir, 'logs', 'tollgate.log'));
  const say = (line: string) => output.terminal(`${line}\n`);
  let runtime: LocalRuntime;
  let printer: ProgressPrinter | undefined;
  try {
    runtime = await startLocalRuntime({
      dataDir,
      port: options.port,
      projectDir,
      config,
      print: options.json ? () => undefined : say,
    });
  } catch (error) {
    await output.restore();
    throw error;
  }
  const endpoint = runtime.endpoint;
  if (options.json)
    say(JSON.stringify({ endpoint, dataDir, projectDir, pid: process.pid, logs: output.logFile }));
  else {
    say(`  console: ${consoleUrl(endpoint)}`);
    say(`  logs:    ${output.logFile}`);
  }
  printer = createProgressPrinter({
    write: output.terminal,
    isTTY: process.stdout.isTTY === true && !options.json,
    consoleUrl: (run) => consoleUrl(endpoint, run),
  });
  const unsubscribe = runtime.engine.onEvent((arn, event) => printer?.onEvent(arn, event));
  await announcePendingApprovals(runtime, say);

  let stopping: Promise<void> | undefined;
  const stop = (signal: string) => {
    if (stopping) {
      // A second Ctrl-C while shutting down means "now".
      process.exit(130);
    }
    say(`\nstopping (${signal}); running apps stay up and are re-adopted on the next start`);
    stopping = (async () => {
      unsubscribe();
      printer?.stop();
      printer = undefined;
      await runtime.close();
      await output.restore();
    })();
    return stopping;
  };
  const stopped = new Promise<void>((done) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.on('SIGINT', () => process.exit(130));
      void stop(signal).then(done, (error) => {
        output.terminalError(`tollgate up: shutdown failed: ${(error as Error).message}\n`);
        process.exitCode = 1;
        done();
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  if (demo) {
    try {
      await demo.runDemo(runtime, { say });
    } catch (error) {
      say(`demo: ${(error as Error).message.split('\n')[0]}`);
    }
  } else {
    const { ensureFirstData } = await import('../../../runtime/up/first-data.js');
    await ensureFirstData({
      config: runtime.config,
      projectDir,
      connectionString: (env) => runtime.runner.ports.volumes.connectionString(env),
      say,
    }).catch((error) => say(`  first data: ${(error as Error).message.split('\n')[0]}`));
  }
  await stopped;
}

/** After a restart nothing is printed for a run that was already waiting; say so once. */
async function announcePendingApprovals(runtime: LocalRuntime, say: (line: string) => void): Promise<void> {
  const pending = await runtime.runner.ports.approvals.listPending();
  for (const approval of pending) {
    const name = runName(approval.executionArn);
    say(`  ${approval.environment}: run ${name} waits for approval of ${approval.release.version}`);
    say(`    approve: npx tollgate approve ${name}`);
    say(`    console: ${consoleUrl(runtime.endpoint, name)}`);
  }
}
