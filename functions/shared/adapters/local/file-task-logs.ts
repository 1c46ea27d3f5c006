import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskLogLine, TaskLogPage, TaskLogSink, TaskLogs } from '../../ports/task-logs.js';
import { redact } from '../../redaction.js';
import { TRUNCATED, toLine } from '../../task-log-record.js';

export interface FileTaskLogsOptions {
  /** `<data dir>/logs/tasks`: one JSON-lines file per execution. */
  readonly dir: string;
  /** Most one execution's file may hold. @default 1 MiB */
  readonly maxBytesPerRun?: number;
  /** Most one task state (in one environment) may add to it. @default 64 KiB */
  readonly maxBytesPerState?: number;
}

/** Where a data directory keeps its task logs: the runtime writes there, `tollgate logs` reads. */
export function taskLogsDir(dataDir: string): string {
  return join(dataDir, 'logs', 'tasks');
}

/**
 * The local task log store: each line a task's logger prints, redacted, appended to its run's file.
 * Bounded twice, so a chatty task can neither fill the disk nor crowd out the other stages: past a
 * state's share or the run's total, one marker line is written and the rest dropped. A line is
 * appended whole with one write, so lines of tasks running at once never interleave.
 */
export class FileTaskLogs implements TaskLogs, TaskLogSink {
  private readonly maxRun: number;
  private readonly maxState: number;
  private readonly runs = new Map<
    string,
    { bytes: number; states: Map<string, number>; full: Set<string> }
  >();

  constructor(private readonly options: FileTaskLogsOptions) {
    if (!options.dir) throw new Error('FileTaskLogs needs the directory to keep task logs in');
    this.maxRun = options.maxBytesPerRun ?? 1024 * 1024;
    this.maxState = options.maxBytesPerState ?? 64 * 1024;
  }

  write(record: Readonly<Record<string, unknown>>): void {
    const executionArn = record.executionArn;
    const state = record.stateName;
    if (typeof executionArn !== 'string' || typeof state !== 'string') return;
    const file = this.fileOf(executionArn);
    const run = this.usage(file);
    const key = `${state}\u0000${typeof record.environment === 'string' ? record.environment : ''}`;
    if (run.full.has(key) || run.full.has('')) return;
    const line = `${JSON.stringify(redact(record))}\n`;
    const bytes = Buffer.byteLength(line);
    const stateBytes = run.states.get(key) ?? 0;
    const overRun = run.bytes + bytes > this.maxRun;
    if (overRun || stateBytes + bytes > this.maxState) {
      run.full.add(overRun ? '' : key);
      const marker = `${JSON.stringify({ ...pick(record), [TRUNCATED]: true, message: 'later lines dropped' })}\n`;
      this.append(file, marker);
      run.bytes += Buffer.byteLength(marker);
      return;
    }
    this.append(file, line);
    run.bytes += bytes;
    run.states.set(key, stateBytes + bytes);
  }

  async read(executionArn: string): Promise<TaskLogPage> {
    const file = this.fileOf(executionArn);
    if (!existsSync(file)) return { lines: [], truncated: false };
    const lines: TaskLogLine[] = [];
    let truncated = false;
    for (const text of readFileSync(file, 'utf8').split('\n')) {
      if (!text) continue;
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(text) as Record<string, unknown>;
      } catch {
        continue; // a line cut by a crash mid-write
      }
      // The marker stays a line of its state, so that stage's log says where it was cut.
      if (record[TRUNCATED] === true) truncated = true;
      lines.push(toLine(record));
    }
    return { lines, truncated };
  }

  private fileOf(executionArn: string): string {
    const name = executionArn.split(':').at(-1) ?? '';
    if (!/^[\w.-]{1,80}$/.test(name))
      throw new Error(`not an execution ARN: ${JSON.stringify(executionArn)}`);
    return join(this.options.dir, `${name}.jsonl`);
  }

  private usage(file: string) {
    let run = this.runs.get(file);
    if (!run) {
      // A restarted runtime carries on counting from what the file holds.
      run = { bytes: existsSync(file) ? statSync(file).size : 0, states: new Map(), full: new Set() };
      this.runs.set(file, run);
    }
    return run;
  }

  private append(file: string, line: string): void {
    mkdirSync(this.options.dir, { recursive: true, mode: 0o700 });
    appendFileSync(file, line, { mode: 0o600 });
  }
}

function pick(record: Readonly<Record<string, unknown>>) {
  return {
    timestamp: record.timestamp,
    level: 'WARN',
    service: record.service,
    executionArn: record.executionArn,
    stateName: record.stateName,
    environment: record.environment,
  };
}
