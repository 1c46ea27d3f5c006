import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { TollgateConfig } from '../../functions/shared/config/schema.js';
import { type RepositoryWeb, repositoryWeb } from '../../model/commit-link.js';

const run = promisify(execFile);

/**
 * The repository whose commits the console links to: the source repository's `origin` remote when
 * the console runs beside it (`tollgate up`), else what the AWS config says the build fetches
 * (`aws.buildSource`: a GitHub owner, or CodeCommit's `source.repository` in the stack's region).
 * Null when neither names a host it knows: no link is better than a wrong one.
 */
export function repositoryOf(
  config: Pick<TollgateConfig, 'source' | 'aws'>,
  found: { readonly remoteUrl?: string | null; readonly region?: string | null },
): RepositoryWeb | null {
  const fromRemote = found.remoteUrl ? repositoryWeb(found.remoteUrl, found.region ?? undefined) : null;
  if (fromRemote) return fromRemote;
  const source = config.aws?.buildSource;
  if (source?.type === 'github')
    return repositoryWeb(`https://github.com/${source.owner}/${config.source.repository}`);
  if (source?.type === 'codecommit' && found.region)
    return repositoryWeb(`codecommit::${found.region}://${config.source.repository}`);
  return null;
}

/** `git remote get-url origin` of a working copy, or null (no git, no origin). */
export async function originUrl(dir: string): Promise<string | null> {
  try {
    const { stdout } = await run('git', ['-C', dir, 'remote', 'get-url', 'origin'], { timeout: 5000 });
    return stdout.trim() || null;
  } catch {
    return null;
  }
}
