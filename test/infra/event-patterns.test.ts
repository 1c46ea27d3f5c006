import { describe, expect, it } from 'vitest';
import { codeCommitPattern, commitEventPatterns, commitPushedPattern } from '../../infra/event-patterns.js';
import { ecsConfig } from './stack-fixture.js';

describe('event-patterns', () => {
  it('returns the tollgate.git pattern filtered by repository only, so other branches end as recorded skips', () => {
    expect(commitPushedPattern(ecsConfig())).toEqual({
      source: ['tollgate.git'],
      'detail-type': ['Commit Pushed'],
      detail: { repository: ['orders-service'] },
    });
  });

  it('returns the CodeCommit pattern for created or updated branch heads of any branch', () => {
    expect(codeCommitPattern(ecsConfig())).toEqual({
      source: ['aws.codecommit'],
      'detail-type': ['CodeCommit Repository State Change'],
      detail: {
        event: ['referenceCreated', 'referenceUpdated'],
        referenceType: ['branch'],
        repositoryName: ['orders-service'],
      },
    });
  });

  it('returns plain JSON that survives a round trip unchanged', () => {
    const patterns = commitEventPatterns(ecsConfig());
    expect(JSON.parse(JSON.stringify(patterns))).toEqual(patterns);
    expect(Object.keys(patterns)).toEqual(['TollgateCommitPushed', 'CodeCommitStateChange']);
  });
});
