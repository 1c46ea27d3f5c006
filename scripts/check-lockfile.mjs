// Fails (exit 1, one line per problem) when package-lock.json disagrees with package.json, or lists
// a package's optional platform binaries only partly. Run by .ci/run before `npm ci`; plain Node
// with no dependencies, since nothing is installed yet.
//
// Usage: node scripts/check-lockfile.mjs [dir]
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'];

function lockfileProblems(pkg, lock) {
  const problems = [];
  const root = lock.packages?.[''];
  if (!root) return ['package-lock.json has no root entry (packages[""]); regenerate it with npm install'];
  for (const field of FIELDS) {
    const want = pkg[field] ?? {};
    const have = root[field] ?? {};
    for (const name of new Set([...Object.keys(want), ...Object.keys(have)])) {
      if (want[name] !== have[name])
        problems.push(
          `${field}.${name}: package.json has ${want[name] ?? 'nothing'}, package-lock.json has ${have[name] ?? 'nothing'}`,
        );
    }
  }
  // npm ci on another platform needs that platform's binary in the lockfile (npm/cli#4828).
  for (const [path, entry] of Object.entries(lock.packages)) {
    for (const name of Object.keys(entry.optionalDependencies ?? {})) {
      const nested = `${path ? `${path}/` : ''}node_modules/${name}`;
      if (!lock.packages[nested] && !lock.packages[`node_modules/${name}`])
        problems.push(`${path || 'the root'}: optional dependency ${name} is missing from package-lock.json`);
    }
  }
  return problems;
}

const dir = resolve(process.argv[2] ?? '.');
const read = (file) => JSON.parse(readFileSync(join(dir, file), 'utf8'));
const problems = lockfileProblems(read('package.json'), read('package-lock.json'));
for (const problem of problems) console.error(`lockfile: ${problem}`);
if (problems.length) {
  console.error(
    'lockfile: run `npm install` (no node_modules needed: --package-lock-only) and commit package-lock.json',
  );
  process.exit(1);
}
console.log('lockfile: package-lock.json agrees with package.json');
