import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStackConfig, resolveConfigPath } from '../../infra/config-source.js';
import { EXAMPLE_CONFIG_PATH } from '../../infra/repo-paths.js';

const emptyDir = () => mkdtempSync(join(tmpdir(), 'tollgate-cfg-'));

describe('resolveConfigPath', () => {
  it('returns the example config when the directory has none and no context is given', () => {
    expect(resolveConfigPath(emptyDir(), undefined)).toBe(EXAMPLE_CONFIG_PATH);
  });

  it('returns the directory tollgate.config.ts when it exists', () => {
    // Arrange
    const dir = emptyDir();
    writeFileSync(join(dir, 'tollgate.config.ts'), 'export default {};\n');

    // Act / Assert
    expect(resolveConfigPath(dir, undefined)).toBe(join(dir, 'tollgate.config.ts'));
  });

  it('returns the -c config path, relative to the directory, over everything else', () => {
    // Arrange
    const dir = emptyDir();
    writeFileSync(join(dir, 'tollgate.config.ts'), 'export default {};\n');
    writeFileSync(join(dir, 'other.config.ts'), 'export default {};\n');

    // Act / Assert
    expect(resolveConfigPath(dir, 'other.config.ts')).toBe(join(dir, 'other.config.ts'));
  });

  it('throws when the -c config path does not exist', () => {
    expect(() => resolveConfigPath('/tmp', 'nope.config.ts')).toThrow(
      'context "config" points at /tmp/nope.config.ts, which does not exist',
    );
  });

  it('throws when the -c config value is empty', () => {
    expect(() => resolveConfigPath('/tmp', ' ')).toThrow(/context "config" must be a path/);
  });
});

describe('loadStackConfig', () => {
  it('returns the example config as written, durations still strings', async () => {
    // Act
    const config = await loadStackConfig(emptyDir(), undefined);

    // Assert
    expect(config.name).toBe('orders-service');
    expect(config.environments.map((e) => e.name)).toEqual(['test', 'staging', 'prod']);
    expect(config.environments[2]?.approval?.timeout).toBe('24h');
  });

  it('throws listing the problems when the config is invalid', async () => {
    // Arrange
    const dir = emptyDir();
    writeFileSync(join(dir, 'bad.config.ts'), 'export default { name: "Bad Name", extra: 1 };\n');

    // Act / Assert
    await expect(loadStackConfig(dir, 'bad.config.ts')).rejects.toThrow(
      /invalid config in .*bad\.config\.ts: .*name/,
    );
  });
});
