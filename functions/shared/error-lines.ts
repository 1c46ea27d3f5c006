/** A line a tool writes to say what went wrong, in most tools' words. */
const ERROR_LINE = /\b(error|fatal|failed|failure|exception|panic)\b/i;
/** A stack frame names a function, not the problem: `    at fn (file:1:2)`, `  File "x.py", line 3`. */
const STACK_FRAME = /^\s+(at\s|File\s")/;

/**
 * The first `max` distinct lines of a command's output that read as errors, wherever they are.
 * Tools print the error first and a stack trace or an error object after it (node-pg-migrate,
 * Flyway, Alembic), so the last lines alone often hold only frames and `code: '23502'`.
 */
export function firstErrorLines(lines: readonly string[], max = 3): string[] {
  const out: string[] = [];
  for (const line of lines) {
    if (out.length >= max) break;
    const text = line.trim();
    if (text === '' || STACK_FRAME.test(line) || !ERROR_LINE.test(text) || out.includes(text)) continue;
    out.push(text);
  }
  return out;
}
