import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
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

/** Imports `tollgate.config.ts` (default export) from `dir` and validates it. */
export async function loadConfig(dir = process.cwd(), file = 'tollgate.config.ts'): Promise<TollgateConfig> {
  const path = resolve(dir, file);
  if (!existsSync(path)) {
    throw new ConfigError(`no ${file} in ${dir}; create one that exports defineConfig({...})`);
  }
  let mod: { default?: unknown };
  try {
    mod = await import(pathToFileURL(path).href);
  } catch (error) {
    throw new ConfigError(`cannot load ${path}: ${(error as Error).message.split('\n')[0]}`, {
      cause: error,
    });
  }
  if (mod.default === undefined) {
    throw new ConfigError(`${path} has no default export; use "export default defineConfig({...})"`);
  }
  return parseConfig(mod.default, path);
}
