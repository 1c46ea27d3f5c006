// Builds dist/release.tgz: the one artifact Tollgate stores and promotes. Dependency-free so it
// runs in a clean worktree with bare `node`. Reproducible: entries sorted, owner and mtime fixed,
// modes normalised, so the same commit always yields the same sha256 digest.
//
// Usage: node scripts/build.mjs [--out <file>]
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** What a release contains (its tests too: test stages run them in the unpacked release); scripts and build output stay out. */
const INCLUDE = ['package.json', 'src', 'migrations', 'tests', 'HEALTH_FAIL'];
const REQUIRED = ['package.json', 'src/server.mjs'];

function parseArgs(argv) {
  const args = { out: join(root, 'dist', 'release.tgz') };
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--out' && argv[i + 1]) {
      args.out = resolve(argv[i + 1]);
      i += 1;
    } else {
      throw new Error(`unknown argument "${argv[i]}"; usage: node scripts/build.mjs [--out <file>]`);
    }
  }
  return args;
}

function collect(path) {
  const full = join(root, path);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full).flatMap((name) => collect(join(path, name)));
}

function octal(value, width) {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/** One POSIX ustar header block (512 bytes). */
function header(name, size, mode, mtime) {
  const block = Buffer.alloc(512);
  let base = name;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 155);
    if (cut < 0 || Buffer.byteLength(name.slice(cut + 1)) > 100)
      throw new Error(`path too long for a tar entry: ${name}`);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  block.write(base, 0, 100, 'utf8');
  block.write(octal(mode, 8), 100, 'ascii');
  block.write(octal(0, 8), 108, 'ascii');
  block.write(octal(0, 8), 116, 'ascii');
  block.write(octal(size, 12), 124, 'ascii');
  block.write(octal(mtime, 12), 136, 'ascii');
  block.write('        ', 148, 'ascii');
  block.write('0', 156, 'ascii');
  block.write('ustar\0', 257, 'ascii');
  block.write('00', 263, 'ascii');
  block.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

function build({ out }) {
  for (const path of REQUIRED) {
    if (!existsSync(join(root, path))) throw new Error(`missing ${path} in ${root}`);
  }
  const mtime = Number(process.env.SOURCE_DATE_EPOCH ?? 0);
  if (!Number.isInteger(mtime) || mtime < 0)
    throw new Error('SOURCE_DATE_EPOCH must be a non-negative integer');
  const files = INCLUDE.flatMap(collect)
    .map((path) => relative(root, join(root, path)).split(sep).join('/'))
    .sort();
  const parts = [];
  for (const path of files) {
    const body = readFileSync(join(root, path));
    const mode = statSync(join(root, path)).mode & 0o100 ? 0o755 : 0o644;
    parts.push(header(path, body.length, mode, mtime), body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024)); // two zero blocks end the archive
  const tgz = gzipSync(Buffer.concat(parts), { level: 9 });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, tgz);
  return { out, files: files.length, bytes: tgz.length };
}

try {
  const result = build(parseArgs(process.argv.slice(2)));
  console.log(
    `built ${relative(process.cwd(), result.out) || result.out}: ${result.files} files, ${result.bytes} bytes`,
  );
} catch (error) {
  console.error(`build failed: ${error.message}`);
  process.exit(1);
}
