import { packageManifest } from '../package-version.js';
import { type DoctorCheck, fail, ok } from './doctor-check.js';

/**
 * The oldest Node.js Tollgate runs on: package.json's `engines.node` (`>=x.y.z`), the one place it
 * is declared, so `npm install`'s warning and `tollgate doctor` cannot disagree.
 */
export function minimumNode(): string {
  const pkg = packageManifest();
  const match = /^>=\s*(\d+\.\d+\.\d+)$/.exec(pkg.engines?.node ?? '');
  if (!match) throw new Error(`package.json engines.node must read ">=x.y.z", got "${pkg.engines?.node}"`);
  return match[1]!;
}

export function nodeCheck(version = process.versions.node, minimum = minimumNode()): DoctorCheck {
  return atLeast(version, minimum)
    ? ok('node', `Node.js ${version}`)
    : fail('node', `Node.js ${version}; Tollgate needs ${minimum} or newer`);
}

function atLeast(version: string, minimum: string): boolean {
  const have = version.split('.').map(Number);
  const need = minimum.split('.').map(Number);
  for (let i = 0; i < 3; i += 1) {
    if ((have[i] ?? 0) !== (need[i] ?? 0)) return (have[i] ?? 0) > (need[i] ?? 0);
  }
  return true;
}
