import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './e2e-harness.js';

const { version } = JSON.parse(readFileSync(join(import.meta.dirname, '../../../package.json'), 'utf8')) as {
  version: string;
};

describe('tollgate --version', () => {
  it.each([
    ['--version', {}],
    ['-V', {}],
    ['--version', { TOLLGATE_CLI_FROM_SOURCE: '1' }],
  ])('prints the package version alone for %s and exits 0 (%o)', async (flag, env) => {
    // Act
    const result = await cli([flag], { env });
    // Assert
    expect(result).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});
