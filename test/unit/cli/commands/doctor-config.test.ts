import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configCheck } from '../../../../cli/commands/doctor.js';
import { loadConfig } from '../../../../functions/shared/config/index.js';
import { validConfig } from '../../../support/config-fixtures.js';

/** doctor and the pipeline validate a config with one function, so they cannot disagree about it. */
describe('tollgate doctor config check', () => {
  const twoRulesForOneColumn = () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-doctor-'));
    const config = validConfig({
      database: {
        engine: 'postgres',
        source: 'prod',
        masking: [
          { table: 'customers', column: 'email', rule: 'email' },
          { table: 'customers', column: 'email', rule: 'hash' },
        ],
      },
    });
    writeFileSync(join(dir, 'tollgate.config.ts'), `export default ${JSON.stringify(config)};\n`);
    return dir;
  };

  it('fails a config with two masking rules for one column, which mask-data refuses mid-run, in the words the runtime uses', async () => {
    // Arrange
    const dir = twoRulesForOneColumn();
    // Act
    const check = await configCheck(dir);
    const runtime = await loadConfig(dir).then(
      () => 'loaded',
      (e: Error) => e.message,
    );
    // Assert
    expect(check.status).toBe('fail');
    expect(check.detail).toContain(
      'database.masking[1]: customers.email already has a rule at database.masking[0]; give each column one rule',
    );
    expect(check.detail).toBe(runtime);
  });
});
