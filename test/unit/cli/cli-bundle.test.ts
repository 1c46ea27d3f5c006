import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freshCliBundle } from '../../../bin/cli-bundle.js';

/** A package root with a built bundle of two inputs, the build at t=2000 s, the inputs at t=1000 s. */
function builtPackage(): { dir: string; root: URL; touch: (path: string, seconds: number) => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-cli-bundle-'));
  const touch = (path: string, seconds: number) => utimesSync(join(dir, path), seconds, seconds);
  mkdirSync(join(dir, 'dist/cli'), { recursive: true });
  mkdirSync(join(dir, 'cli'));
  writeFileSync(join(dir, 'cli/tollgate.ts'), '');
  writeFileSync(join(dir, 'cli/program.ts'), '');
  writeFileSync(join(dir, 'dist/cli/tollgate.js'), '');
  writeFileSync(join(dir, 'dist/cli/build-info.json'), '{"inputs":["cli/tollgate.ts","cli/program.ts"]}');
  touch('cli/tollgate.ts', 1000);
  touch('cli/program.ts', 1000);
  touch('dist/cli/build-info.json', 2000);
  return { dir, root: pathToFileURL(`${dir}/`), touch };
}

describe('freshCliBundle', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('returns the bundle entry when no input changed since the build', () => {
    // Arrange
    const pkg = builtPackage();
    dirs.push(pkg.dir);
    // Act
    const entry = freshCliBundle(pkg.root);
    // Assert
    expect(entry).toBe(new URL('dist/cli/tollgate.js', pkg.root).href);
  });

  it('returns null when a source file was edited after the build', () => {
    // Arrange
    const pkg = builtPackage();
    dirs.push(pkg.dir);
    pkg.touch('cli/program.ts', 3000);
    // Act
    const entry = freshCliBundle(pkg.root);
    // Assert
    expect(entry).toBeNull();
  });

  it('runs the bundle of an installed package, which ships no sources to compare', () => {
    // Arrange
    const pkg = builtPackage();
    dirs.push(pkg.dir);
    rmSync(join(pkg.dir, 'cli'), { recursive: true });
    // Act
    const entry = freshCliBundle(pkg.root);
    // Assert
    expect(entry).not.toBeNull();
  });

  it('returns null when nothing was built', () => {
    // Arrange
    const pkg = builtPackage();
    dirs.push(pkg.dir);
    rmSync(join(pkg.dir, 'dist'), { recursive: true });
    // Act
    const entry = freshCliBundle(pkg.root);
    // Assert
    expect(entry).toBeNull();
  });
});
