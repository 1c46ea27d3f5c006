import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerRelease } from '../../../../functions/register-release/register-release.js';
import { DirArtifactStore } from '../../../../functions/shared/adapters/local/dir-artifact-store.js';
import { DirLedger } from '../../../../functions/shared/adapters/local/dir-ledger.js';
import { GitSourceRepository } from '../../../../functions/shared/adapters/local/git-source-repository.js';
import { OciImageRegistry } from '../../../../functions/shared/adapters/local/oci-image-registry.js';
import { ManualClock } from '../../../../functions/shared/clock.js';
import { parseConfig } from '../../../../functions/shared/config/load-config.js';
import type { TollgateConfig } from '../../../../functions/shared/config/schema.js';
import { createGitRepo } from '../../../support/git-repo.js';

/**
 * A real repository whose commits become real releases: git for the source, the directory
 * artifact store and ledger, and release tarballs holding the commit's migrations.
 */
export function releaseHistory() {
  const root = mkdtempSync(join(tmpdir(), 'tollgate-history-'));
  const repo = createGitRepo({ 'README.md': 'orders\n' });
  const artifacts = new DirArtifactStore(join(root, 'artifacts'));
  const ledger = new DirLedger(join(root, 'ledger'));
  const clock = new ManualClock('2026-01-02T03:04:05.000Z');
  const config: TollgateConfig = parseConfig({
    name: 'orders',
    source: { repository: 'orders-service' },
    build: { command: 'npm run build', artifact: 'dist/release.tgz' },
    database: { engine: 'postgres', migrations: 'migrations' },
    environments: [
      {
        name: 'test',
        deploy: { type: 'process', command: 'node s.js', port: 4701 },
        database: { refresh: true },
      },
      { name: 'prod', deploy: { type: 'process', command: 'node s.js', port: 4703 }, database: {} },
    ],
    features: { link: 'https://tracker.example/browse/{id}' },
  });
  const deps = {
    artifacts,
    ledger,
    clock,
    config,
    images: new OciImageRegistry(join(root, 'oci')),
    source: new GitSourceRepository({ 'orders-service': repo.dir }),
  };
  let runs = 0;
  const commitOf = (commit: string) => ({
    repository: 'orders-service',
    branch: 'main',
    commit,
    parents: [],
    author: { name: 'Dev', email: 'dev@example.test' },
    message: 'msg',
    timestamp: '2026-01-01T00:00:00.000Z',
  });
  return {
    repo,
    /** Laid out as a data directory (artifacts/, ledger/), so the CLI can read it with --data-dir. */
    dataDir: root,
    deps,
    ledger,
    config,
    /** Commits, builds a tarball of the tree and registers it: the release's version and the run. */
    async release(
      message: string,
      files: Record<string, string> = {},
      source: (typeof deps)['source'] = deps.source,
    ) {
      for (const name of Object.keys(files)) mkdirSync(join(repo.dir, name, '..'), { recursive: true });
      const commit = repo.commit(message, files);
      const staged = join(root, 'artifacts', 'builds', commit);
      mkdirSync(staged, { recursive: true });
      execFileSync('tar', ['czf', join(staged, 'release.tgz'), '-C', repo.dir, 'migrations']);
      const executionArn = `arn:aws:states:local:000000000000:execution:orders:run-${++runs}`;
      const ref = await registerRelease(
        {
          executionArn,
          stateName: 'RegisterRelease',
          pipeline: 'orders',
          commit: commitOf(commit),
          build: { artifactKey: `builds/${commit}/release.tgz` },
        },
        { ...deps, source },
      );
      return { version: ref.version, commit, executionArn };
    },
    /** What promote writes: the release now runs in the environment. */
    async promote(version: string, environment: string, executionArn: string) {
      await ledger.append({
        kind: 'promotion',
        pipeline: 'orders',
        at: clock.now().toISOString(),
        executionArn,
        environment,
        releaseVersion: version,
        actor: 'tollgate',
        data: {},
        idempotencyKey: `${executionArn}#Promote#${environment}`,
      });
    },
    /** What migrate-database writes: the migrations the environment's database holds. */
    async migrated(environment: string, present: string[], executionArn: string) {
      await ledger.append({
        kind: 'migrations-applied',
        pipeline: 'orders',
        at: clock.now().toISOString(),
        executionArn,
        environment,
        actor: 'tollgate',
        data: { applied: [], present },
        idempotencyKey: `${executionArn}#Migrate#${environment}`,
      });
    },
    commitOf,
  };
}
