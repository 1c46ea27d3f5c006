import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../../functions/shared/config/index.js';
import { ConfigError } from '../../../../../functions/shared/errors.js';
import { validConfig } from '../../../../support/config-fixtures.js';

function problem(features: unknown): string {
  try {
    parseConfig({ ...validConfig(), features: features as never });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain('\n');
    return (error as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('features', () => {
  it('returns the JIRA-style and #number patterns and no link when the key is left out', () => {
    // Act
    const config = parseConfig(validConfig());

    // Assert
    expect(config.features).toEqual({ patterns: ['[A-Z][A-Z0-9]+-\\d+', '#\\d+'] });
  });

  it('returns the given patterns and link', () => {
    // Act
    const config = parseConfig({
      ...validConfig(),
      features: { patterns: ['FEAT-\\d+'], link: 'https://tracker.example/browse/{id}' },
    });

    // Assert
    expect(config.features).toEqual({
      patterns: ['FEAT-\\d+'],
      link: 'https://tracker.example/browse/{id}',
    });
  });

  it('refuses a pattern that is not a regular expression, naming its path', () => {
    expect(problem({ patterns: ['[A-Z'] })).toMatch(/features\.patterns\[0\].*not a regular expression/);
  });

  it('refuses a link without {id}', () => {
    expect(problem({ link: 'https://tracker.example/browse/' })).toMatch(/features\.link.*\{id\}/);
  });

  it('refuses an empty pattern list and an unknown key', () => {
    expect(problem({ patterns: [] })).toMatch(/features\.patterns/);
    expect(problem({ pattern: 'X-\\d+' })).toMatch(/features/);
  });
});
