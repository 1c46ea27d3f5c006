import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../../functions/shared/config/index.js';
import { ConfigError } from '../../../../../functions/shared/errors.js';
import { validConfig } from '../../../../support/config-fixtures.js';

function withDatabase(database: Record<string, unknown>) {
  return validConfig({ database: { engine: 'postgres', ...database } as never });
}

function problem(database: Record<string, unknown>): string {
  try {
    parseConfig(withDatabase(database));
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain('\n');
    return (error as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('database.migrate and command data checks', () => {
  it('returns the migration command with a 15 minute timeout by default', () => {
    // Act
    const config = parseConfig(withDatabase({ migrate: { command: ' npx prisma migrate deploy ' } }));
    // Assert
    expect(config.database?.migrate).toEqual({ command: 'npx prisma migrate deploy', timeout: 900 });
  });

  it('returns a command check with a 10 minute timeout by default beside the SQL checks', () => {
    // Act
    const config = parseConfig(
      withDatabase({
        checks: [
          { type: 'sql', name: 'no negative totals', sql: 'SELECT count(*) FROM orders WHERE total < 0' },
          { type: 'command', name: 'dbt-tests', run: 'dbt test --select orders', timeout: '20m' },
        ],
      }),
    );
    // Assert
    expect(config.database?.checks[1]).toEqual({
      type: 'command',
      name: 'dbt-tests',
      run: 'dbt test --select orders',
      timeout: 1200,
    });
  });

  it.each([
    [
      'database.breaking beside a migration command',
      { migrate: { command: 'npx knex migrate:latest' }, breaking: ['0007_drop_legacy'] },
      /database\.breaking: names NNNN_name\.sql files of the built-in runner, which database\.migrate\.command replaces; remove it/,
    ],
    [
      'an empty migration command',
      { migrate: { command: '  ' } },
      /database\.migrate\.command: give the shell command to run/,
    ],
    ['an unknown key in migrate', { migrate: { command: 'x', dir: 'db' } }, /database\.migrate/],
    [
      'a migration timeout without a unit',
      { migrate: { command: 'x', timeout: '90' } },
      /database\.migrate\.timeout must be a positive duration/,
    ],
    [
      'a command check without a name',
      { checks: [{ type: 'command', run: 'dbt test' }] },
      /database\.checks\[0\]\.name/,
    ],
    [
      'a command check with an empty command',
      { checks: [{ type: 'command', name: 'dbt', run: '' }] },
      /database\.checks\[0\]\.run: give the shell command to run/,
    ],
  ])('refuses %s in one line', (_, database, message) => {
    // Act
    const text = problem(database);
    // Assert
    expect(text).toMatch(message);
  });
});
