import type { RepositoryFacts } from './repository-facts.js';

const ARTIFACT = 'release.tgz';

/** Ports of the two environments and their databases: `base`, `base + 2`, and those plus 10. */
export interface InitPorts {
  readonly base: number;
}

const q = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * The build: install locked dependencies (the build runs in a clean worktree of the commit, which
 * has no node_modules), the package's own build, only the production dependencies kept, then the
 * whole tree as the release tarball, the one artifact every environment runs. The tarball is written
 * outside the tree first: tar fails ("file changed as we read it") on an archive growing inside it.
 */
export function buildCommand(facts: RepositoryFacts): string {
  return [
    ...(facts.lockfile ? ['npm ci'] : []),
    ...(facts.buildScript ? ['npm run build'] : []),
    ...(facts.lockfile ? ['npm prune --omit=dev'] : []),
    'out=$(mktemp -d)',
    `tar -czf "$out/${ARTIFACT}" --exclude=./.git .`,
    `mv "$out/${ARTIFACT}" ${ARTIFACT}`,
  ].join(' && ');
}

/** The commented tollgate.config.ts that `tollgate init` writes. */
export function configText(facts: RepositoryFacts, ports: InitPorts): string {
  const health = facts.health?.path ?? '/health';
  const healthNote = facts.health
    ? `// ${health}: the route ${facts.health.seenIn} serves; a release takes traffic once it answers 2xx.`
    : '// No health route found in the source: a release takes traffic once healthPath answers 2xx,\n      // so set it to a route your app serves.';
  const startNote = facts.startScript
    ? '// `npm start` with PORT set, in the release unpacked.'
    : '// package.json has no "start" script: add one, or put the command that starts your app here.';
  const database = facts.migrations
    ? `
  // Postgres per environment on this machine (PGlite); ${facts.migrations}/NNNN_name.sql run in order, each
  // in a transaction, and the app gets DATABASE_URL. \`test\` is refreshed from a masked copy of prod:
  // list the columns holding personal data under masking ({table, column, rule}).
  database: {
    engine: 'postgres',
    provider: { type: 'local' },
    source: 'prod',
    migrations: ${q(facts.migrations)},
    masking: [],
  },`
    : '';
  const db = (port: number, refresh: boolean) =>
    facts.migrations ? `\n      database: { ${refresh ? 'refresh: true, ' : ''}port: ${port} },` : '';
  const approvers = facts.author ? `[${q(facts.author)}]` : '[]';
  return `import { defineConfig } from 'tollgate/config';

// Written by \`npx tollgate init\`. Every key is described in Tollgate's README ("Configuration").
export default defineConfig({
  name: ${q(facts.name)},
  // Commits on these branches run the pipeline; others are recorded as skipped.
  source: { repository: ${q(facts.name)}, branches: [${q(facts.branch)}] },
  // Runs once per commit in a clean checkout of it; the tarball is promoted unchanged to every environment.
  build: {
    command: ${q(buildCommand(facts))},
    artifact: ${q(ARTIFACT)},
  },${database}
  // In promotion order. Each environment runs its release as a process on this machine.
  environments: [
    {
      name: 'test',
      ${startNote}
      ${healthNote}
      deploy: { type: 'process', command: 'npm start', port: ${ports.base}, healthPath: ${q(health)} },${db(ports.base + 10, true)}
    },
    {
      name: 'prod',
      deploy: { type: 'process', command: 'npm start', port: ${ports.base + 2}, healthPath: ${q(health)} },${db(ports.base + 12, false)}
      // Who may promote to prod (local user names or e-mails). A team of one approves its own
      // commits: list your teammates and drop allowSelfApproval so nobody approves their own.
      approval: { approvers: ${approvers}, allowSelfApproval: true },
    },
  ],${
    facts.health
      ? `
  // Run against each environment after its deploy; a failure rolls the release back.
  smokeTests: [{ name: 'health', path: ${q(health)} }],`
      : ''
  }
});
`;
}
