import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Sends everything the process writes to stdout and stderr (the tasks' Powertools JSON logs, the
 * servers' error reports) to a log file, and hands back a writer for the real terminal. Powertools
 * holds its own Console over `process.stdout`, so the streams' `write` is what has to move; the
 * terminal keeps the original functions.
 */
export interface RedirectedOutput {
  readonly terminal: (text: string) => void;
  readonly terminalError: (text: string) => void;
  readonly logFile: string;
  restore(): Promise<void>;
}

export function redirectOutputToLog(logFile: string): RedirectedOutput {
  mkdirSync(dirname(logFile), { recursive: true });
  const log: WriteStream = createWriteStream(logFile, { flags: 'a', mode: 0o600 });
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  const stderrWrite = process.stderr.write.bind(process.stderr);
  const toLog = ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown) => {
    const done = typeof encoding === 'function' ? encoding : callback;
    return log.write(chunk, done as (() => void) | undefined);
  }) as typeof process.stdout.write;
  process.stdout.write = toLog;
  process.stderr.write = toLog;
  return {
    terminal: (text) => void stdoutWrite(text),
    terminalError: (text) => void stderrWrite(text),
    logFile,
    restore: () =>
      new Promise<void>((resolve) => {
        process.stdout.write = stdoutWrite;
        process.stderr.write = stderrWrite;
        log.end(() => resolve());
      }),
  };
}
