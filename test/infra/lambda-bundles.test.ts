import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_SIZE_TARGET_BYTES, bundleLambdas, LAMBDA_FUNCTIONS } from '../../bench/bundles.js';

const functionsDir = fileURLToPath(new URL('../../functions/', import.meta.url));

/**
 * Each function bundled as infra/constructs/tollgate-function.ts has CDK bundle it (the bench's
 * builder, the same esbuild options), without a synth: every bundle must stay within 1 MB.
 */
describe('Lambda bundles', () => {
  const out = mkdtempSync(join(tmpdir(), 'tollgate-bundle-size-'));
  let sizes: Array<{ name: string; bytes: number; largest: string }> = [];

  beforeAll(async () => {
    const bundles = await bundleLambdas(LAMBDA_FUNCTIONS, out);
    sizes = Object.entries(bundles).map(([name, b]) => ({ name, bytes: b.bytes, largest: b.largestPart }));
  }, 120_000);

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('lists every functions/<name>/handler.ts', () => {
    // Arrange
    const handlers = readdirSync(functionsDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && d.name !== 'shared')
      .filter((d) => readdirSync(join(functionsDir, d.name)).includes('handler.ts'))
      .map((d) => d.name);
    // Act
    const listed = [...LAMBDA_FUNCTIONS].sort();
    // Assert
    expect(listed).toEqual(handlers.sort());
  });

  it('keeps every bundle within 1 MB', () => {
    // Arrange
    const over = sizes
      .filter((s) => s.bytes > BUNDLE_SIZE_TARGET_BYTES)
      .map((s) => `${s.name}: ${Math.round(s.bytes / 1024)} KiB (largest part ${s.largest})`);
    // Act + Assert
    expect(sizes).toHaveLength(LAMBDA_FUNCTIONS.length);
    expect(over, `bundles over ${BUNDLE_SIZE_TARGET_BYTES} bytes`).toEqual([]);
  });
});
