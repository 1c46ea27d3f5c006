import { execFileSync } from 'node:child_process';
import { identityKeyProblem, isEmailAddress } from '../../functions/shared/config/identity-keys.js';
import type { TollgateConfig } from '../../functions/shared/config/schema.js';

/**
 * The person running `tollgate up` is, to git, their `user.email` in the project repository. When
 * `identities` does not map the runtime's user, that e-mail becomes their identity, so someone who
 * committed a change and approves it from the console or as their own user name is recognised as its
 * author. An explicit `identities` entry always wins; without a git e-mail nothing is added.
 */
export function withLocalIdentity(config: TollgateConfig, user: string, projectDir: string): TollgateConfig {
  if (Object.hasOwn(config.identities, user) || identityKeyProblem(user)) return config;
  const email = gitEmail(projectDir);
  if (!email || !isEmailAddress(email)) return config;
  return { ...config, identities: { ...config.identities, [user]: email.toLowerCase() } };
}

function gitEmail(dir: string): string | undefined {
  try {
    return execFileSync('git', ['config', 'user.email'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 5_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined; // not a repository, git missing, or no user.email set
  }
}
