import { describe, expect, it } from 'vitest';
import { checkRedeploy } from '../../../../functions/register-release/redeploy-check.js';
import { registerRelease } from '../../../../functions/register-release/register-release.js';
import { InvalidInputError } from '../../../../functions/shared/errors.js';
import { releaseHistory } from './release-history.js';

const FIRST = { 'migrations/0001_orders.sql': 'CREATE TABLE orders (id int);\n' };
const SECOND = { 'migrations/0002_refunds.sql': 'CREATE TABLE refunds (id int);\n' };

/** r1 ran in test and prod; r2 (a code change) now runs in both. */
async function twoReleases() {
  const h = releaseHistory();
  const r1 = await h.release('ORD-1: first', FIRST);
  await h.promote(r1.version, 'test', r1.executionArn);
  await h.promote(r1.version, 'prod', r1.executionArn);
  await h.migrated('prod', ['0001_orders'], r1.executionArn);
  const r2 = await h.release('ORD-2: faster', { 'README.md': 'faster\n' });
  await h.promote(r2.version, 'test', r2.executionArn);
  await h.promote(r2.version, 'prod', r2.executionArn);
  return { h, r1, r2 };
}

const request = (release: string, environment = 'prod', skipEarlier = false) => ({
  release,
  environment,
  skipEarlier,
});

describe('checkRedeploy', () => {
  it('allows the previous release back into prod when it passed test and has every migration prod holds', async () => {
    // Arrange
    const { h, r1 } = await twoReleases();
    // Act
    const verdict = await checkRedeploy(request(r1.version), h.deps);
    // Assert
    expect(verdict).toMatchObject({ allowed: true, notPassed: [], release: { version: r1.version } });
  });

  it('refuses an environment the pipeline lacks, naming its environments', async () => {
    const { h, r1 } = await twoReleases();
    expect(await checkRedeploy(request(r1.version, 'qa'), h.deps)).toEqual({
      allowed: false,
      reason: `unknown environment "qa"; this pipeline's environments are test, prod`,
    });
  });

  it.each(['r9-abcdef0', '../../etc/passwd'])(
    'refuses a release the store does not hold (%s)',
    async (version) => {
      const { h } = await twoReleases();
      expect(await checkRedeploy(request(version), h.deps)).toEqual({
        allowed: false,
        reason: `unknown release "${version}"; list the releases with \`npx tollgate releases\``,
      });
    },
  );

  it('refuses a release that never passed the environments before the target, unless skipEarlier', async () => {
    // Arrange
    const { h } = await twoReleases();
    const r3 = await h.release('ORD-3: hotfix', { 'README.md': 'hotfix\n' });
    // Act
    const refused = await checkRedeploy(request(r3.version), h.deps);
    const allowed = await checkRedeploy(request(r3.version, 'prod', true), h.deps);
    // Assert
    expect(refused).toEqual({
      allowed: false,
      reason: `release ${r3.version} never passed test (before prod); add --skip-earlier to deploy it anyway, which the approval evidence records`,
    });
    expect(allowed).toMatchObject({ allowed: true, notPassed: ['test'] });
  });

  it("refuses a release whose migrations are older than the environment's schema", async () => {
    // Arrange
    const { h, r1, r2 } = await twoReleases();
    const r3 = await h.release('ORD-4: refunds table', SECOND);
    await h.promote(r3.version, 'test', r3.executionArn);
    await h.promote(r3.version, 'prod', r3.executionArn);
    await h.migrated('prod', ['0001_orders', '0002_refunds'], r3.executionArn);
    // Act
    const verdicts = [
      await checkRedeploy(request(r1.version), h.deps),
      await checkRedeploy(request(r2.version), h.deps),
    ];
    // Assert
    expect(verdicts).toEqual([
      {
        allowed: false,
        reason: `release ${r1.version} lacks migrations prod's database already has (0002_refunds); Tollgate does not guess down-migrations: deploy a release that has them`,
      },
      {
        allowed: false,
        reason: `release ${r2.version} lacks migrations prod's database already has (0002_refunds); Tollgate does not guess down-migrations: deploy a release that has them`,
      },
    ]);
  });
});

describe('registerRelease: a redeploy', () => {
  it('returns the stored release without building, records who and why, and lists what it adds to the target only', async () => {
    // Arrange
    const { h, r1 } = await twoReleases();
    const executionArn = 'arn:aws:states:local:000000000000:execution:orders:redeploy-1';
    const redeploy = {
      release: r1.version,
      environment: 'prod',
      reason: 'r2 is slow',
      skipEarlier: false,
      requestedBy: 'ana@example.com',
    };
    // Act
    const out = await registerRelease(
      {
        executionArn,
        stateName: 'RegisterRelease',
        pipeline: 'orders',
        commit: { ...h.commitOf(r1.commit), redeploy },
        build: null,
      },
      h.deps,
    );
    // Assert
    expect(out).toMatchObject({
      version: r1.version,
      commit: r1.commit,
      redeploy: { environment: 'prod', requestedBy: 'ana@example.com', reason: 'r2 is slow', notPassed: [] },
    });
    const entries = await h.ledger.query({ executionArn });
    expect(entries.map((e) => e.kind)).toEqual(['redeploy', 'release-contents']);
    expect(entries[0]).toMatchObject({
      environment: 'prod',
      releaseVersion: r1.version,
      actor: 'ana@example.com',
      data: { reason: 'r2 is slow', skipEarlier: false, notPassed: [] },
    });
    expect(entries[1]!.data.environments).toEqual([
      {
        environment: 'prod',
        since: expect.stringMatching(/^r2-/),
        listed: true,
        commits: [],
        truncated: false,
        features: [],
      },
    ]);
    expect((await h.ledger.query({ kinds: ['release'] })).length).toBe(2);
  });

  it('fails Tollgate.InvalidInput with the reason and records nothing when the request is refused', async () => {
    // Arrange
    const { h, r1 } = await twoReleases();
    const executionArn = 'arn:aws:states:local:000000000000:execution:orders:redeploy-2';
    const redeploy = {
      release: r1.version,
      environment: 'qa',
      reason: '',
      skipEarlier: false,
      requestedBy: 'ana',
    };
    // Act
    const attempt = registerRelease(
      {
        executionArn,
        stateName: 'RegisterRelease',
        pipeline: 'orders',
        commit: { ...h.commitOf(r1.commit), redeploy },
        build: null,
      },
      h.deps,
    );
    // Assert
    await expect(attempt).rejects.toThrow(InvalidInputError);
    await expect(attempt).rejects.toThrow(/unknown environment "qa"/);
    expect(await h.ledger.query({ executionArn })).toEqual([]);
  });
});
