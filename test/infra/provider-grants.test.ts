import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/shared/config/load-config.js';
import { providerProblems } from '../../infra/provider-grants.js';
import { auroraConfigInput } from './stack-fixture.js';

const aurora = () => parseConfig(auroraConfigInput(), 'test');

describe('providerProblems', () => {
  it('returns a line when the Aurora source cluster carries the clone prefix', () => {
    // Arrange
    const config = parseConfig(
      {
        ...auroraConfigInput(),
        database: { engine: 'postgres', provider: { type: 'aurora-clone', sourceClusterId: 'tg-prod' } },
      },
      'test',
    );

    // Act / Assert
    expect(providerProblems(config)).toEqual([
      expect.stringMatching(
        /^database\.provider\.sourceClusterId "tg-prod" starts with "tg-", the prefix of Tollgate's disposable clones/,
      ),
    ]);
  });

  it('returns no problems for an ordinary source cluster name', () => {
    expect(providerProblems(aurora())).toEqual([]);
  });
});
