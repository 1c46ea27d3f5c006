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
