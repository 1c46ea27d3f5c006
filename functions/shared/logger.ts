import { Logger, type LogItem, LogLevelThreshold } from '@aws-lambda-powertools/logger';
import type { TaskLogSink } from './ports/task-logs.js';

type LoggerOptions = NonNullable<ConstructorParameters<typeof Logger>[0]>;
type LevelName = keyof typeof LogLevelThreshold;

/**
 * A Powertools logger that also hands each line to a sink: the local function runner's task log
 * store. The store keeps INFO and up whatever TOLLGATE_LOG_LEVEL quiets on stdout (the runtime's
 * log file, the test output), so a run's stage logs read the same either way. On Lambda there is
 * no sink: stdout is CloudWatch Logs, and the level applies there.
 */
class TaskLogger extends Logger {
  constructor(
    options: LoggerOptions,
    private readonly sink: TaskLogSink | undefined,
    private readonly printFrom: number,
  ) {
    super(options);
  }

  protected override printLog(logLevel: number, log: LogItem): void {
    if (logLevel >= this.printFrom) super.printLog(logLevel, log);
    try {
      this.sink?.write(log.getAttributes());
    } catch {
      // A full disk loses the stage log's line, never the task: stdout still has it.
    }
  }
}

/**
 * The logger of one task invocation: every line carries the run and the state (and the
 * environment, when the task works on one), so a run's lines can be found per stage: by the
 * local store, and on AWS by filtering the function's log group on the execution's name.
 * Callers pass payloads through the one redaction policy (redaction.ts) first, because a log line
 * is something a person can read; the local store redacts each line again.
 */
export function invocationLogger(
  serviceName: string,
  keys: { executionArn?: string; stateName?: string; environment?: string },
  options: { readonly sink?: TaskLogSink; readonly level: LevelName },
): Logger {
  const persistentKeys = Object.fromEntries(Object.entries(keys).filter(([, v]) => typeof v === 'string'));
  const { sink, level } = options;
  const stored: LevelName = sink && LogLevelThreshold[level] > LogLevelThreshold.INFO ? 'INFO' : level;
  return new TaskLogger({ serviceName, logLevel: stored, persistentKeys }, sink, LogLevelThreshold[level]);
}

/** One Powertools logger for code outside a task invocation (the GitHub webhook). */
export function createLogger(serviceName: string): Logger {
  return new TaskLogger({ serviceName, logLevel: logLevel() }, undefined, 0);
}

/** TOLLGATE_LOG_LEVEL, read when a handler is built (a Lambda's cold start). */
export function logLevel(): LevelName {
  const named = (process.env.TOLLGATE_LOG_LEVEL ?? 'INFO').toUpperCase();
  return named in LogLevelThreshold ? (named as LevelName) : 'INFO';
}
