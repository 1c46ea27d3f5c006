import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the parent of infra/. Paths in the stack resolve from here, not from cwd. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const DEFAULT_DEFINITION_PATH = resolve(REPO_ROOT, 'statemachines/pipeline.asl.json');
export const EXAMPLE_CONFIG_PATH = resolve(REPO_ROOT, 'examples/orders-service/tollgate.config.ts');

export function handlerEntry(root: string, functionName: string): string {
  return resolve(root, 'functions', functionName, 'handler.ts');
}
