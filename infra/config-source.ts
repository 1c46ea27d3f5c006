import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { type LoadConfigOptions, loadConfigWithInput } from '../functions/shared/config/load-config.js';
import type { TollgateConfigInput } from '../functions/shared/config/schema.js';
import { EXAMPLE_CONFIG_PATH } from './repo-paths.js';

/**
 * Which config the app synthesizes: `-c config=<path>` wins; then `tollgate.config.ts` in the
 * directory cdk runs in; then the example, so a fresh clone synthesizes without any set-up.
 */
export function resolveConfigPath(cwd: string, contextValue: unknown): string {
  if (contextValue !== undefined) {
    if (typeof contextValue !== 'string' || contextValue.trim() === '') {
      throw new Error(
        'context "config" must be a path to a tollgate.config.ts, e.g. -c config=./tollgate.config.ts',
      );
    }
    const path = resolve(cwd, contextValue);
    if (!existsSync(path)) throw new Error(`context "config" points at ${path}, which does not exist`);
    return path;
  }
  const local = resolve(cwd, 'tollgate.config.ts');
  return existsSync(local) ? local : EXAMPLE_CONFIG_PATH;
}

/**
 * Loads and validates the config, and returns it as the user wrote it: the functions re-validate
 * the copy their bundles carry with the same schema, and the schema accepts input (`"15m"`), not
 * output (900).
 */
export async function loadStackConfig(
  cwd: string,
  contextValue: unknown,
  options: Omit<LoadConfigOptions, 'file'> = {},
): Promise<TollgateConfigInput> {
  const path = resolveConfigPath(cwd, contextValue);
  const { input } = await loadConfigWithInput(dirname(path), { ...options, file: basename(path) });
  return input as TollgateConfigInput;
}
