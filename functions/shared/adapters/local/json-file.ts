import fs from 'node:fs';
import path from 'node:path';

/** Reads a JSON file; undefined when it does not exist. */
export function readJson<T>(file: string): T | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return JSON.parse(text) as T;
}

/**
 * Write-then-rename so a reader, or a crash, never sees half a file. `compact` for the large
 * machine-read files (a volume's manifest lists every file): indenting doubles their size.
 */
export function writeJson(file: string, value: unknown, options: { compact?: boolean } = {}): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const text = options.compact ? JSON.stringify(value) : JSON.stringify(value, null, 2);
  fs.writeFileSync(tmp, `${text}\n`);
  fs.renameSync(tmp, file);
}
