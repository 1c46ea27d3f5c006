import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = new URL('../../../', import.meta.url).pathname;
const SCRIPT = join(ROOT, 'scripts/check-lockfile.mjs');

async function check(dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [SCRIPT, dir]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('scripts/check-lockfile.mjs', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  /** The repository's own package.json and lockfile, with `edit` applied to a copy. */
  function copyOfRepo(
    edit: (pkg: Record<string, Record<string, string>>, lock: { packages: Record<string, unknown> }) => void,
  ): string {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-lockfile-'));
    dirs.push(dir);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
    edit(pkg, lock);
    writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg));
    writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(lock));
    return dir;
  }

  it("accepts the repository's committed lockfile", async () => {
    // Arrange
    const dir = copyOfRepo(() => {});
    // Act
    const result = await check(dir);
    // Assert
    expect(result.code, result.stderr).toBe(0);
  });

  it('fails naming the dependency when package.json changed without the lockfile', async () => {
    // Arrange
    const dir = copyOfRepo((pkg) => {
      pkg.dependencies!['left-pad'] = '^1.3.0';
    });
    // Act
    const result = await check(dir);
    // Assert
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'dependencies.left-pad: package.json has ^1.3.0, package-lock.json has nothing',
    );
  });

  it("fails when another platform's optional binary is missing from the lockfile", async () => {
    // Arrange
    const dir = copyOfRepo((_, lock) => {
      delete lock.packages['node_modules/@biomejs/cli-darwin-arm64'];
    });
    // Act
    const result = await check(dir);
    // Assert
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('optional dependency @biomejs/cli-darwin-arm64 is missing');
  });
});
