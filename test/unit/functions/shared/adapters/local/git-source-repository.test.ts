import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GitSourceRepository } from '../../../../../../functions/shared/adapters/local/git-source-repository.js';
import { createGitRepo } from '../../../../../support/git-repo.js';

const ref = (repository: string, commit: string) => ({ repository, branch: 'main', commit });

describe('GitSourceRepository (real git)', () => {
  const repo = createGitRepo({ 'README.md': 'hi\n' });
  const first = repo.commit('first');
  const source = new GitSourceRepository({ orders: repo.dir });

  it('knows a commit of the working copy', async () => {
    expect((await source.vouchFor(ref('orders', first))).known).toBe(true);
  });

  it('answers no for a commit id the repository does not have, saying so', async () => {
    expect(await source.vouchFor(ref('orders', '0'.repeat(40)))).toEqual({
      known: false,
      detail: `commit ${'0'.repeat(40)} does not exist in repository "orders"`,
    });
  });

  it('answers no for a blob id: only commits count', async () => {
    const { execFileSync } = await import('node:child_process');
    const blob = execFileSync('git', ['-C', repo.dir, 'rev-parse', `${first}:README.md`], {
      encoding: 'utf8',
    }).trim();
    expect((await source.vouchFor(ref('orders', blob))).known).toBe(false);
  });

  it('answers no for a repository it has no working copy of', async () => {
    expect((await source.vouchFor(ref('billing', first))).known).toBe(false);
  });

  it('refuses an id that is not 40 hex characters before running git', async () => {
    await expect(source.vouchFor(ref('orders', '--output=/tmp/x'))).rejects.toThrow(
      'commit "--output=/tmp/x" is not a 40-character hex id',
    );
  });

  it('fails loudly when the working copy is not a git repository, instead of skipping every commit', async () => {
    const broken = new GitSourceRepository({ orders: mkdtempSync(join(tmpdir(), 'tollgate-not-git-')) });
    await expect(broken.vouchFor(ref('orders', first))).rejects.toThrow(/cannot ask git about/);
  });
});

describe('GitSourceRepository.commitsBetween (real git)', () => {
  const repo = createGitRepo({ 'a.txt': '1\n' });
  const base = repo.commit('ORD-1: first release');
  const second = repo.commit('ORD-2: refunds', { 'a.txt': '2\n' });
  const third = repo.commit('fix #7 on refunds', { 'a.txt': '3\n' });
  const source = new GitSourceRepository({ orders: repo.dir });

  it('returns the commits the newer release adds, newest first, with author and subject', async () => {
    // Act
    const range = await source.commitsBetween({ repository: 'orders', from: base, to: third, limit: 10 });

    // Assert
    expect(range).toEqual({
      listed: true,
      truncated: false,
      commits: [
        { commit: third, author: 'Dev <dev@example.test>', subject: 'fix #7 on refunds' },
        { commit: second, author: 'Dev <dev@example.test>', subject: 'ORD-2: refunds' },
      ],
    });
  });

  it('returns every commit up to the release when nothing came before, cut at the limit', async () => {
    // Act
    const range = await source.commitsBetween({ repository: 'orders', from: null, to: third, limit: 2 });

    // Assert
    expect(range.listed && range.commits.map((c) => c.commit)).toEqual([third, second]);
    expect(range.listed && range.truncated).toBe(true);
  });

  it('returns no commits for an older release over a newer one (a redeploy adds nothing)', async () => {
    const range = await source.commitsBetween({ repository: 'orders', from: third, to: base, limit: 10 });
    expect(range).toEqual({ listed: true, truncated: false, commits: [] });
  });

  it('says why it cannot list a repository it has no working copy of', async () => {
    expect(await source.commitsBetween({ repository: 'billing', from: null, to: third, limit: 5 })).toEqual({
      listed: false,
      detail: 'no working copy of repository "billing"',
    });
  });

  it('refuses an id that is not 40 hex characters before running git', async () => {
    await expect(
      source.commitsBetween({ repository: 'orders', from: '--all', to: third, limit: 5 }),
    ).rejects.toThrow('commit "--all" is not a 40-character hex id');
  });
});
