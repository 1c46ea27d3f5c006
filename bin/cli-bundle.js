// Which CLI bin/tollgate.js runs: the precompiled bundle in dist/cli/ (`npm run build:cli`, run by
// `npm install`'s prepare and by `npm pack`) while no source file it was built from has changed since,
// else null and the TypeScript sources run through tsx. A checkout being edited thus never runs old
// code, and an installed package (which ships no sources to compare) always runs the bundle.
import { readFileSync, statSync } from 'node:fs';

/** The bundle's entry URL when it is present and fresh under `packageRoot` (a directory URL). */
export function freshCliBundle(packageRoot) {
  const entry = new URL('dist/cli/tollgate.js', packageRoot);
  const info = new URL('dist/cli/build-info.json', packageRoot);
  let builtAt;
  let inputs;
  try {
    builtAt = statSync(info).mtimeMs;
    inputs = JSON.parse(readFileSync(info, 'utf8')).inputs;
    statSync(entry);
  } catch {
    return null;
  }
  if (!Array.isArray(inputs)) return null;
  for (const input of inputs) {
    // A missing input is one the package does not ship (or a deleted file, whose importers changed).
    const stat = statSync(new URL(input, packageRoot), { throwIfNoEntry: false });
    if (stat && stat.mtimeMs > builtAt) return null;
  }
  return entry.href;
}
