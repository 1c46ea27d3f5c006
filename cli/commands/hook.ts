import { HookConflictError, installPostCommitHook } from '../../runtime/up/git-hook.js';
import { type CommonOptions, dataDirOf } from '../client/cli-context.js';
import { CliError } from '../client/cli-error.js';
import { repositoryRoot } from '../client/git-head.js';
import { emit } from '../client/output.js';

export interface HookOptions extends CommonOptions {
  readonly repo?: string;
}

/** `tollgate hook install`: every commit in the repository emits the commit event. */
export async function hookInstallCommand(options: HookOptions): Promise<void> {
  const root = repositoryRoot(options.repo ?? process.cwd());
  let path: string;
  try {
    path = installPostCommitHook(root, { dataDir: dataDirOf(options), endpoint: options.endpoint });
  } catch (error) {
    if (error instanceof HookConflictError) throw new CliError(error.message);
    throw error;
  }
  emit(options.json, { hook: path, repository: root }, () => [`installed ${path}`]);
}
