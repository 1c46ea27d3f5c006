import { describe, expect, it } from 'vitest';
import { releaseDiff } from '../../../../console/server/diff-view.js';
import { BadRequestError, NotFoundError } from '../../../../console/server/errors.js';
import { runConfigKey } from '../../../../functions/register-release/run-config.js';
import { GitSourceRepository } from '../../../../functions/shared/adapters/local/git-source-repository.js';
import type { TollgateConfig } from '../../../../functions/shared/config/schema.js';
import { releaseHistory } from '../../functions/register-release/release-history.js';

const FIRST = { 'migrations/0001_orders.sql': 'CREATE TABLE orders (id int);\n' };
const SECOND = { 'migrations/0002_refunds.sql': 'ALTER TABLE orders ADD COLUMN refunded boolean;\n' };

/** r1 in prod; a config change (prod's port, a masking rule), then r2 with a migration in test. */
async function twoReleases() {
  const h = releaseHistory();
  const r1 = await h.release('ORD-1: first release', FIRST);
  await h.promote(r1.version, 'test', r1.executionArn);
  await h.promote(r1.version, 'prod', r1.executionArn);
  const middle = h.repo.commit('ORD-2: refunds', { 'README.md': 'refunds\n' });
  // The parsed config as the tasks hold it, with prod's port moved and a masking rule added.
  const changed = structuredClone(h.config) as TollgateConfig & {
    environments: Array<{ deploy: { port: number } }>;
    database: { masking: unknown[] };
  };
  changed.environments[1]!.deploy.port = 4803;
  changed.database.masking = [{ table: 'customers', column: 'email', rule: 'email' }];
  h.deps.config = changed;
  const r2 = await h.release('ORD-3: refund endpoint', SECOND);
  await h.promote(r2.version, 'test', r2.executionArn);
  const ports = { ...h.deps, entries: () => h.ledger.query() };
  return { h, r1, r2, middle, ports };
}

describe('releaseDiff', () => {
  it('returns the commits, the migration SQL, the config changes and the digests from prod to test', async () => {
    // Arrange
    const { r1, r2, middle, ports } = await twoReleases();

    // Act
    const diff = await releaseDiff('prod', 'test', ports);

    // Assert
    expect(diff.a).toMatchObject({
      asked: 'prod',
      environment: 'prod',
      version: r1.version,
      commit: r1.commit,
    });
    expect(diff.b).toMatchObject({
      asked: 'test',
      environment: 'test',
      version: r2.version,
      commit: r2.commit,
    });
    expect(diff.a.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(diff.a.digest).not.toBe(diff.b.digest);
    expect(diff.sameRelease).toBe(false);
    expect(diff.commits).toEqual({
      listed: true,
      added: [
        { commit: r2.commit, author: 'Dev <dev@example.test>', subject: 'ORD-3: refund endpoint' },
        { commit: middle, author: 'Dev <dev@example.test>', subject: 'ORD-2: refunds' },
      ],
      removed: [],
      truncated: false,
    });
    expect(diff.migrations).toEqual({
      listed: true,
      added: [{ name: '0002_refunds', sql: SECOND['migrations/0002_refunds.sql'] }],
      removed: [],
      changed: [],
    });
    expect(diff.config.recorded).toBe(true);
    const differences = diff.config.recorded ? diff.config.differences : [];
    expect(differences).toEqual([
      { path: 'database.masking', a: [], b: [{ table: 'customers', column: 'email', rule: 'email' }] },
      { path: 'environments[prod].deploy.port', a: 4703, b: 4803 },
    ]);
  });

  it('returns what going back takes away when b is the older release', async () => {
    // Arrange
    const { r1, r2, middle, ports } = await twoReleases();

    // Act
    const diff = await releaseDiff(r2.version, r1.version, ports);

    // Assert
    expect(diff.commits).toMatchObject({ listed: true, added: [] });
    expect(diff.commits.listed && diff.commits.removed.map((c) => c.commit)).toEqual([r2.commit, middle]);
    expect(diff.migrations).toMatchObject({ listed: true, added: [], removed: ['0002_refunds'] });
    expect(diff.config.recorded && diff.config.differences.map((d) => d.path)).toEqual([
      'database.masking',
      'environments[prod].deploy.port',
    ]);
  });

  it('stores each distinct config once, where the digest the run recorded names it', async () => {
    // Arrange
    const { h, r1, r2, ports } = await twoReleases();

    // Act
    const diff = await releaseDiff(r1.version, r2.version, ports);

    // Assert
    expect(diff.config.a).not.toBe(diff.config.b);
    const stored = await h.deps.artifacts.getText(runConfigKey('orders', diff.config.b as string));
    expect(JSON.parse(stored!).environments[1].deploy.port).toBe(4803);
  });

  it('says the config was not recorded for a release put in place by a run that recorded none', async () => {
    // Arrange
    const { h, r1, ports } = await twoReleases();
    await h.promote(r1.version, 'prod', 'arn:aws:states:local:000000000000:execution:orders:before-configs');

    // Act
    const diff = await releaseDiff('prod', 'test', ports);

    // Assert
    expect(diff.config).toMatchObject({
      recorded: false,
      b: expect.stringMatching(/^sha256:/),
      detail: `no config recorded for prod (${r1.version}) (runs before register-release recorded the effective config)`,
    });
  });

  it('says why the commits are not listed when the source has no working copy, and still diffs the rest', async () => {
    // Arrange
    const { ports } = await twoReleases();

    // Act
    const diff = await releaseDiff('prod', 'test', { ...ports, source: new GitSourceRepository({}) });

    // Assert
    expect(diff.commits).toEqual({ listed: false, detail: 'no working copy of repository "orders-service"' });
    expect(diff.migrations).toMatchObject({ listed: true });
  });

  it('returns an empty difference for two environments running the same release', async () => {
    // Arrange
    const h = releaseHistory();
    const r1 = await h.release('ORD-1', FIRST);
    await h.promote(r1.version, 'test', r1.executionArn);
    await h.promote(r1.version, 'prod', r1.executionArn);

    // Act
    const diff = await releaseDiff('test', 'prod', { entries: () => h.ledger.query(), ...h.deps });

    // Assert
    expect(diff).toMatchObject({
      sameRelease: true,
      commits: { listed: true, added: [], removed: [] },
      migrations: { listed: true, added: [], removed: [], changed: [] },
      config: { recorded: true, differences: [] },
    });
  });

  it.each([
    [
      'an unknown name',
      'qa',
      'prod',
      BadRequestError,
      /^"qa" is neither an environment \(test, prod\) nor a release version like r42-1a2b3c4$/,
    ],
    [
      'the same thing twice',
      'prod',
      'prod',
      BadRequestError,
      /^compare two different releases or environments, got "prod" twice$/,
    ],
    [
      'an unknown release',
      'r99-abcdef0',
      'prod',
      NotFoundError,
      /^unknown release "r99-abcdef0"; list the releases with `npx tollgate releases`$/,
    ],
    ['nothing to compare', '', 'prod', BadRequestError, /^name two releases or environments to compare/],
  ])('refuses %s in one line', async (_kind, a, b, type, message) => {
    // Arrange
    const { ports } = await twoReleases();

    // Act
    const diffing = releaseDiff(a, b, ports);

    // Assert
    await expect(diffing).rejects.toBeInstanceOf(type);
    await expect(diffing).rejects.toThrow(message);
  });

  it('refuses an environment that runs nothing yet', async () => {
    // Arrange
    const h = releaseHistory();
    const r1 = await h.release('ORD-1', FIRST);

    // Act
    const diffing = releaseDiff('prod', r1.version, { entries: () => h.ledger.query(), ...h.deps });

    // Assert
    await expect(diffing).rejects.toThrow(new NotFoundError('environment prod runs no release yet'));
  });
});
