import { type CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { TaskLogLine, TaskLogPage, TaskLogs } from '../../ports/task-logs.js';
import { redact } from '../../redaction.js';
import { toLine } from '../../task-log-record.js';

export interface CloudWatchTaskLogsOptions {
  readonly client: Pick<CloudWatchLogsClient, 'send'>;
  /** The task functions' log groups (the stack's, read once by the caller). */
  readonly logGroups: () => Promise<readonly string[]>;
  /** Most lines read for one run, over all groups, so a chatty run cannot hold the console. @default 5000 */
  readonly maxLines?: number;
}

/**
 * A run's task log lines from the Lambda functions' CloudWatch log groups. Every line a task
 * prints is Powertools JSON carrying `executionArn`, `stateName` and `environment`
 * (functions/shared/logger.ts), so FilterLogEvents finds a run's lines by its execution name as a
 * quoted term, and each candidate is kept only when its `executionArn` is the run's (a name can
 * appear in another run's input). Lambda's own lines (START, END, REPORT) are not JSON and drop out.
 */
export class CloudWatchTaskLogs implements TaskLogs {
  private readonly maxLines: number;

  constructor(private readonly options: CloudWatchTaskLogsOptions) {
    if (!options?.client || typeof options.logGroups !== 'function')
      throw new Error('CloudWatchTaskLogs needs a CloudWatch Logs client and the log groups to read');
    this.maxLines = options.maxLines ?? 5000;
  }

  async read(executionArn: string): Promise<TaskLogPage> {
    const name = executionArn.split(':').at(-1) ?? '';
    if (!/^[\w.-]{1,80}$/.test(name))
      throw new Error(`not an execution ARN: ${JSON.stringify(executionArn)}`);
    const found: Array<{ ts: number; line: TaskLogLine }> = [];
    let truncated = false;
    for (const logGroupName of await this.options.logGroups()) {
      let nextToken: string | undefined;
      do {
        const page = await this.options.client.send(
          new FilterLogEventsCommand({ logGroupName, filterPattern: `"${name}"`, nextToken }),
        );
        for (const event of page.events ?? []) {
          const record = powertoolsRecord(event.message);
          if (!record || record.executionArn !== executionArn || typeof record.stateName !== 'string')
            continue;
          if (found.length >= this.maxLines) {
            truncated = true;
            break;
          }
          found.push({ ts: event.timestamp ?? 0, line: toLine(redact(record)) });
        }
        nextToken = truncated ? undefined : page.nextToken;
      } while (nextToken);
    }
    found.sort((a, b) => a.ts - b.ts);
    return { lines: found.map((f) => f.line), truncated };
  }
}

/** The JSON object on a log line: the whole message, or after Lambda's text prefix. */
function powertoolsRecord(message: string | undefined): Record<string, unknown> | null {
  const at = message?.indexOf('{') ?? -1;
  if (!message || at < 0) return null;
  try {
    const parsed = JSON.parse(message.slice(at)) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
