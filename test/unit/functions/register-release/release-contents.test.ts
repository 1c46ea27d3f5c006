import { describe, expect, it } from 'vitest';
import { GitSourceRepository } from '../../../../functions/shared/adapters/local/git-source-repository.js';
import { releaseHistory } from './release-history.js';

const FIRST = { 'migrations/0001_orders.sql': 'CREATE TABLE orders (id int);\n' };

describe('registerRelease: release contents', () => {
  it('records per environment the commits the release adds over the one it runs, with their feature IDs and links', async () => {
    // Arrange
    const h = releaseHistory();
    const r1 = await h.release('ORD-1: first release', FIRST);
    await h.promote(r1.version, 'test', r1.executionArn);
    await h.promote(r1.version, 'prod', r1.executionArn);
    const middle = h.repo.commit('ORD-2: refunds', { 'README.md': 'refunds\n' });

    // Act
    const r2 = await h.release('fix #7 in refunds', { 'README.md': 'fixed\n' });

    // Assert
    const [entry] = await h.ledger.query({ kinds: ['release-contents'], executionArn: r2.executionArn });
    const added = [
      { commit: r2.commit, author: 'Dev <dev@example.test>', subject: 'fix #7 in refunds' },
      { commit: middle, author: 'Dev <dev@example.test>', subject: 'ORD-2: refunds' },
    ];
    const features = [
      { id: '#7', link: 'https://tracker.example/browse/7', commits: [r2.commit] },
      { id: 'ORD-2', link: 'https://tracker.example/browse/ORD-2', commits: [middle] },
    ];
    expect(entry).toMatchObject({ releaseVersion: r2.version, data: { commit: r2.commit } });
    expect(entry!.data.environments).toEqual([
      { environment: 'test', since: r1.version, listed: true, commits: added, truncated: false, features },
      { environment: 'prod', since: r1.version, listed: true, commits: added, truncated: false, features },
    ]);
  });

  it('records every commit up to the release for an environment nothing was promoted to yet', async () => {
    // Arrange
    const h = releaseHistory();

    // Act
    const r1 = await h.release('ORD-1: first release', FIRST);

    // Assert
    const [entry] = await h.ledger.query({ kinds: ['release-contents'], executionArn: r1.executionArn });
    const environments = entry!.data.environments as Array<{
      since: unknown;
      features: Array<{ id: string }>;
    }>;
    expect(environments.map((e) => [e.since, e.features.map((f) => f.id)])).toEqual([
      [null, ['ORD-1']],
      [null, ['ORD-1']],
    ]);
  });

  it("records the source's reason when it cannot list commits, and registers the release all the same", async () => {
    // Arrange
    const h = releaseHistory();
    const r1 = await h.release('ORD-1', FIRST);
    await h.promote(r1.version, 'prod', r1.executionArn);

    // Act
    const ref = await h.release('ORD-5 next', { 'README.md': 'next\n' }, new GitSourceRepository({}));

    // Assert
    expect(ref.version).toMatch(/^r2-/);
    const [entry] = await h.ledger.query({ kinds: ['release-contents'], releaseVersion: ref.version });
    expect((entry!.data.environments as unknown[])[1]).toEqual({
      environment: 'prod',
      since: r1.version,
      listed: false,
      commits: [],
      truncated: false,
      features: [],
      detail: 'no working copy of repository "orders-service"',
    });
  });
});
