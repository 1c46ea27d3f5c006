import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { z } from 'zod';
import type { WaitingClock } from '../clock.js';
import { ConfigError } from '../errors.js';
import { importInChild } from './config-import.js';
import { configSchema, type TollgateConfig, type TollgateConfigInput } from './schema.js';

/** Identity at runtime; gives `tollgate.config.ts` type checking and editor completion. */
export function defineConfig(config: TollgateConfigInput): TollgateConfigInput {
  return config;
}

/** Formats every zod issue as `path: message`, one per line, so all problems show at once. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const path = issue.path.length
      ? issue.path
          .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
          .join('')
          .replace(/^\./, '')
      : '(root)';
    if (issue.code === 'unrecognized_keys') {
      return `${path}: unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')} (remove them or check the spelling)`;
    }
    if (issue.code === 'invalid_type' && issue.message.includes('received undefined')) {
      return `${path}: missing required field (expected ${issue.expected}), add it`;
    }
    // A record key's own problem (e.g. an identities key) comes wrapped; say it, not "Invalid key".
    if (issue.code === 'invalid_key' && issue.issues.length) {
      return `${path}: ${issue.issues.map((inner) => inner.message).join(', ')}`;
    }
    if (issue.code === 'invalid_union' && 'discriminator' in issue) {
      return `${path}: ${issue.message}`;
    }
    return `${path}: ${issue.message}`;
  });
}

/** Validates an already-loaded config object. Throws ConfigError listing every problem. */
export function parseConfig(raw: unknown, source = 'tollgate.config.ts'): TollgateConfig {
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = formatIssues(result.error.issues);
  throw new ConfigError(`invalid config in ${source}: ${lines.join('; ')}`, { cause: lines });
}

export interface LoadConfigOptions {
  /** @default 'tollgate.config.ts' */
  readonly file?: string;
  /** How long the config may take to load before it counts as hanging. @default 15 s */
  readonly timeoutMs?: number;
  /** Times the load out; tests pass a ManualClock. @default a timer that never holds the process open */
  readonly clock?: WaitingClock;
}

export const CONFIG_LOAD_TIMEOUT_MS = 15_000;

/**
 * Imports `tollgate.config.ts` (default export) from `dir` in a child process and validates it. The
 * config is code: one that exits, hangs or crashes is reported in one line instead of taking the
 * CLI or the runtime with it.
 */
export async function loadConfig(
  dir = process.cwd(),
  options: LoadConfigOptions = {},
): Promise<TollgateConfig> {
  return (await loadConfigWithInput(dir, options)).config;
}

/** loadConfig, plus the default export as written (the stack passes that on; the schema takes input). */
export async function loadConfigWithInput(
  dir: string,
  options: LoadConfigOptions = {},
): Promise<{ readonly input: unknown; readonly config: TollgateConfig }> {
  const file = options.file ?? 'tollgate.config.ts';
  const path = resolve(dir, file);
  if (!existsSync(path)) {
    throw new ConfigError(`no ${file} in ${dir}; create one that exports defineConfig({...})`);
  }
  const timeoutMs = options.timeoutMs ?? CONFIG_LOAD_TIMEOUT_MS;
  const outcome = await importInChild(path, timeoutMs, options.clock);
  switch (outcome.kind) {
    case 'loaded':
      return { input: outcome.config, config: parseConfig(outcome.config, path) };
    case 'no-default':
      throw new ConfigError(`${path} has no default export; use "export default defineConfig({...})"`);
    case 'failed':
      throw new ConfigError(`cannot load ${path}: ${loadFailure(outcome.message, path)}`);
    case 'exited':
      throw new ConfigError(`${path} exited with code ${outcome.code} while loading; a config must not exit`);
    case 'timed-out':
      throw new ConfigError(
        `${path} did not finish loading within ${Math.round(timeoutMs / 1000)}s; does it wait for something?`,
      );
  }
}

/**
 * The line of a load failure a person can act on. A syntax error comes from the TypeScript
 * transform as "Transform failed with 1 error:" and, on the next lines, "<file>:<line>:<col>: ERROR:
 * <text>"; the first line alone names neither where nor what, so the location and text are kept.
 */
function loadFailure(message: string, path: string): string {
  const [first = '', ...rest] = message.split('\n');
  if (!/^Transform failed with \d+ errors?:$/.test(first.trim())) return first;
  const located = rest
    .map((line) => /^(.*):(\d+):(\d+): ERROR: (.*)$/.exec(line.trim()))
    .filter((match): match is RegExpExecArray => match !== null)
    .map(
      ([, file, line, column, text]) =>
        `${file === path ? '' : `${file} `}line ${line}, column ${column}: ${text}`,
    );
  return located.length ? `syntax error at ${located.join('; ')}` : first;
}
