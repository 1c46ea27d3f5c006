/**
 * An error the CLI reports as one line on stderr with a non-zero exit code. Anything else that
 * escapes a command is squeezed into one line by `oneLine` as well: a stack trace is not an answer.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

export const ExitCode = {
  Failure: 1,
  Usage: 2,
  /** The runtime (or the AWS stack) could not be reached. */
  Unreachable: 3,
  /** The command worked, but what it reports is a failure (e.g. doctor found a problem). */
  Unhealthy: 4,
} as const;

export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split('\n').find((line) => line.trim()) ?? 'unknown error';
  return first.trim();
}
