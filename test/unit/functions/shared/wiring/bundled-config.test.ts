import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildAwsPorts } from '../../../../../functions/shared/wiring/aws-ports.js';
import {
  bundledConfigPath,
  CONFIG_FILE,
  configDigest,
  readBundledConfig,
} from '../../../../../functions/shared/wiring/env.js';
import { validConfig } from '../../../../support/config-fixtures.js';

function configFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'tollgate-config-file-')), CONFIG_FILE);
  writeFileSync(path, text);
  return path;
}

describe('readBundledConfig', () => {
  it('returns the JSON the file holds', () => {
    // Arrange
    const path = configFile(JSON.stringify(validConfig()));
    // Act
    const read = readBundledConfig(path);
    // Assert
    expect(read).toEqual(validConfig());
  });

  it('throws one line naming the file and the fix when the file is missing', () => {
    // Arrange
    const path = join(mkdtempSync(join(tmpdir(), 'tollgate-no-config-')), CONFIG_FILE);
    // Act + Assert
    expect(() => readBundledConfig(path)).toThrow(
      expect.objectContaining({
        name: 'Tollgate.ConfigError',
        message: expect.stringMatching(
          /^the pipeline config \S+tollgate-config\.json cannot be read \(ENOENT\); the TollgateFunction construct ships it in every function's bundle: deploy the function with it$/,
        ),
      }),
    );
  });

  it('throws one line when the file is not JSON, even when the bad text spans lines', () => {
    // Arrange
    const path = configFile('{\n  "name": orders\n}\n');
    // Act
    let message = '';
    try {
      readBundledConfig(path);
    } catch (error) {
      message = (error as Error).message;
    }
    // Assert
    expect(message).toMatch(/^the pipeline config \S+ is not JSON \(.+\); redeploy the stack to rewrite it$/);
    expect(message).not.toContain('\n');
  });

  it('looks beside the running module, which in a bundle is index.mjs', () => {
    // Act
    const path = bundledConfigPath();
    // Assert: unbundled, this module is env.ts, so the file would sit in its directory
    expect(path).toMatch(/functions\/shared\/wiring\/tollgate-config\.json$/);
  });
});

describe('configDigest', () => {
  it('returns the sha256 of the text in hex', () => {
    // Act + Assert: the published digests of "" and "abc"
    expect(configDigest('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(configDigest('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('buildAwsPorts', () => {
  it('validates the bundled config with the schema and names the file when it is invalid', () => {
    // Arrange
    const path = configFile(JSON.stringify({ ...validConfig(), environments: [] }));
    // Act + Assert
    expect(() => buildAwsPorts('plan-run', {}, {}, path)).toThrow(
      /^invalid config in the bundled config \S+tollgate-config\.json: environments: add at least one environment\b[^\n]*$/,
    );
  });
});
