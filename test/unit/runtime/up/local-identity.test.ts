import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { approve } from '../../../../functions/approve/approve.js';
import { parseConfig } from '../../../../functions/shared/config/index.js';
import { withLocalIdentity } from '../../../../runtime/up/local-identity.js';
import { validConfig } from '../../../support/config-fixtures.js';
import { createGitRepo } from '../../../support/git-repo.js';
import { approvalFixture } from '../../functions/approve/approval-fixture.js';

describe('withLocalIdentity', () => {
  it("maps the runtime user to git's user.email, so approving their own commit is refused as self-approval", async () => {
    // Arrange: the repo's git user is dev@example.test, who authored the commit waiting for approval
    const repo = createGitRepo({ 'README.md': 'x\n' });
    const config = withLocalIdentity(parseConfig(validConfig()), 'devuser', repo.dir);
    const f = await approvalFixture({
      approvers: ['devuser', 'bob'],
      commit: {
        repository: 'orders-service',
        branch: 'main',
        commit: 'a'.repeat(40),
        author: { name: 'Dev', email: 'dev@example.test' },
        message: 'change',
        timestamp: '2026-01-01T00:00:00.000Z',
      },
    });
    f.ports.config.identities = config.identities;
    // Act
    const result = await approve(
      {
        approvalId: f.record.id,
        decision: 'approve',
        comment: '',
        caller: { kind: 'local', user: 'devuser' },
        attemptId: f.attempt(),
      },
      f.ports,
    );
    // Assert
    expect(config.identities).toEqual({ devuser: 'dev@example.test' });
    expect(result).toMatchObject({ outcome: 'refused', code: 'self-approval' });
  });

  it('keeps an explicit identities entry, and adds nothing where git has no user.email', () => {
    // Arrange
    const repo = createGitRepo({ 'README.md': 'x\n' });
    const mapped = parseConfig(validConfig({ identities: { devuser: 'someone@example.com' } }));
    const outside = mkdtempSync(join(tmpdir(), 'tollgate-no-repo-'));
    vi.stubEnv('GIT_CONFIG_GLOBAL', '/dev/null');
    vi.stubEnv('GIT_CONFIG_NOSYSTEM', '1');
    // Act + Assert
    expect(withLocalIdentity(mapped, 'devuser', repo.dir).identities).toEqual({
      devuser: 'someone@example.com',
    });
    expect(withLocalIdentity(parseConfig(validConfig()), 'devuser', outside).identities).toEqual(
      expect.not.objectContaining({ devuser: expect.anything() }),
    );
  });
});
