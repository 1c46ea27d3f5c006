/**
 * Links from a commit to its page on the git host. A repository is known by a git remote (https,
 * ssh or scp-like) or its web address; its host decides the shape of a commit's address. Hosts are
 * told apart by name (github, gitlab, bitbucket, CodeCommit's git endpoints), so GitHub Enterprise
 * or a self-managed GitLab under such a name works too; any other host gets no link rather than a
 * guessed one.
 */
type GitHost = 'github' | 'gitlab' | 'bitbucket' | 'codecommit';

export interface RepositoryWeb {
  readonly host: GitHost;
  /** The repository's page: `https://github.com/acme/orders`. */
  readonly url: string;
  /** CodeCommit only: the region and repository name its console addresses need. */
  readonly region?: string;
  readonly name?: string;
}

const SCP_LIKE = /^(?:[\w.-]+@)?([\w.-]+):(?!\/\/)(.+)$/;
const CODECOMMIT_HOST = /^git-codecommit(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com$/;
// git-remote-codecommit's own scheme: codecommit::us-east-1://name or codecommit://profile@name.
const GRC = /^codecommit(?:::([a-z0-9-]+))?:\/\/(?:[\w-]+@)?([\w.-]+)$/;

/** The repository behind a remote or web URL, or null for a host this does not know. */
export function repositoryWeb(remote: string, defaultRegion?: string): RepositoryWeb | null {
  const text = remote.trim();
  const grc = GRC.exec(text);
  if (grc) {
    const region = grc[1] ?? defaultRegion;
    return region ? codecommit(region, grc[2]!) : null;
  }
  const parsed = hostAndPath(text);
  if (!parsed) return null;
  const { host, path } = parsed;
  const region = CODECOMMIT_HOST.exec(host)?.[1];
  if (region) {
    const name = /^v1\/repos\/([\w.-]+)$/.exec(path)?.[1];
    return name ? codecommit(region, name) : null;
  }
  const parts = path.split('/').filter(Boolean);
  if (parts.length < 2) return null;
  const kind: GitHost | null = host.includes('github')
    ? 'github'
    : host.includes('gitlab')
      ? 'gitlab'
      : host.includes('bitbucket')
        ? 'bitbucket'
        : null;
  if (!kind) return null;
  // GitHub and Bitbucket have owner/name; GitLab nests groups, so the whole path is the project.
  const kept = kind === 'gitlab' ? parts : parts.slice(0, 2);
  return { host: kind, url: `https://${host}/${kept.map(encodeURIComponent).join('/')}` };
}

/** The commit's page, or null when the repository or the commit is not one a link can be built for. */
export function commitUrl(
  repository: RepositoryWeb | null,
  commit: string | null | undefined,
): string | null {
  if (!repository || !commit || !/^[0-9a-f]{7,64}$/i.test(commit)) return null;
  switch (repository.host) {
    case 'github':
      return `${repository.url}/commit/${commit}`;
    case 'gitlab':
      return `${repository.url}/-/commit/${commit}`;
    case 'bitbucket':
      return `${repository.url}/commits/${commit}`;
    case 'codecommit':
      return `https://${repository.region}.console.aws.amazon.com/codesuite/codecommit/repositories/${encodeURIComponent(repository.name!)}/commit/${commit}?region=${repository.region}`;
  }
}

function codecommit(region: string, name: string): RepositoryWeb {
  return {
    host: 'codecommit',
    url: `https://${region}.console.aws.amazon.com/codesuite/codecommit/repositories/${encodeURIComponent(name)}/browse?region=${region}`,
    region,
    name,
  };
}

function hostAndPath(text: string): { host: string; path: string } | null {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return null;
    }
    if (!['https:', 'http:', 'ssh:', 'git:'].includes(url.protocol)) return null;
    return { host: url.hostname.toLowerCase(), path: stripGit(decodeURIComponent(url.pathname)) };
  }
  const scp = SCP_LIKE.exec(text);
  if (!scp || scp[1]!.length < 3 || !scp[1]!.includes('.')) return null;
  return { host: scp[1]!.toLowerCase(), path: stripGit(scp[2]!) };
}

function stripGit(path: string): string {
  return path.replace(/^\/+|\/+$/g, '').replace(/\.git$/, '');
}
