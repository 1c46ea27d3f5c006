// Runs a test phase's commands inside the CodeBuild build the run-tests function started (see
// infra/constructs/test-stage-project.ts, whose buildspec writes this file into the build and
// runs it). It only runs and collects, as the local ProcessTestRunner does; run-tests judges.
//
// Usage: node run-test-stages.mjs <release tree> <out dir> [s3://bucket/prefix]
// TOLLGATE_TESTS: JSON [{name, run, timeoutSeconds, env, reportDirs[], files[]}].
// TOLLGATE_DATABASE_SECRET (optional): the environment's RDS secret JSON, which CodeBuild resolved
// from Secrets Manager; the commands get it as DATABASE_URL, the secret itself never.
//
// For each test, in order: the command runs in the tree through bash, as its own process group,
// stopped (the whole group) at its timeout; then <out>/outcomes/<i>.json holds its outcome and
// <out>/tree/<i>/ the files it left in its report directories and its threshold files, and the
// out dir is copied to the S3 prefix, so run-tests sees each finished test while the rest run.
// No dependencies: the build image has node and the aws CLI, nothing else of Tollgate.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Kept in step with functions/shared/test-reports.ts (OUTPUT_LINES), which cannot be imported here. */
const OUTPUT_LINES = 20;
const MAX_LINE = 2_000;
/** SIGTERM to SIGKILL, as the local runner's stopGraceMs. */
const STOP_GRACE_MS = 5_000;
const INTERNAL = ['TOLLGATE_TESTS', 'TOLLGATE_DATABASE_SECRET'];

const [tree, out, uri] = process.argv.slice(2);
if (!tree || !out) fail('usage: node run-test-stages.mjs <release tree> <out dir> [s3://bucket/prefix]');
const tests = parseTests(process.env.TOLLGATE_TESTS);
const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !INTERNAL.includes(k)));
const databaseUrl = process.env.TOLLGATE_DATABASE_SECRET
  ? connectionUrl(process.env.TOLLGATE_DATABASE_SECRET)
  : undefined;

mkdirSync(join(out, 'outcomes'), { recursive: true });
for (const [i, test] of tests.entries()) {
  console.log(`--- tollgate: test stage ${test.name}: ${test.run}`);
  const outcome = await runOne(test);
  const collected = collect(i, test);
  writeFileSync(join(out, 'outcomes', `${i}.json`), JSON.stringify({ ...outcome, collected }));
  console.log(
    `--- tollgate: ${test.name} ${outcome.timedOut ? 'timed out' : `exited ${outcome.exitCode}`} after ${outcome.durationMs} ms`,
  );
  upload();
}

function runOne(test) {
  const started = Date.now();
  const env = { ...base, ...test.env, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) };
  return new Promise((resolve) => {
    const tail = [];
    let partial = '';
    const keep = (chunk) => {
      process.stdout.write(chunk);
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) tail.push(line.slice(0, MAX_LINE));
      tail.splice(0, Math.max(0, tail.length - OUTPUT_LINES));
    };
    let child;
    try {
      child = spawn('bash', ['-c', test.run], {
        cwd: tree,
        env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      resolve(notStarted(error));
      return;
    }
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      signal(child.pid, 'SIGTERM');
      setTimeout(() => signal(child.pid, 'SIGKILL'), STOP_GRACE_MS).unref();
    }, test.timeoutSeconds * 1_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve(notStarted(error));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      // Whatever the command left running (a server it started) goes with it.
      signal(child.pid, 'SIGKILL');
      if (partial) tail.push(partial.slice(0, MAX_LINE));
      resolve({
        name: test.name,
        exitCode: timedOut ? null : code,
        timedOut,
        durationMs: Date.now() - started,
        outputTail: tail.slice(-OUTPUT_LINES),
      });
    });
  });

  function notStarted(error) {
    return {
      name: test.name,
      exitCode: null,
      timedOut: false,
      durationMs: 0,
      outputTail: [],
      error: String(error.message ?? error).split('\n')[0],
    };
  }
}

function signal(pid, name) {
  try {
    process.kill(-pid, name);
  } catch {
    // The group has already gone.
  }
}

/** The files in the test's report directories (not below them) and its threshold files. */
function collect(i, test) {
  const paths = new Set(test.files.filter((f) => isFile(join(tree, f))));
  for (const dir of test.reportDirs) {
    let names = [];
    try {
      names = readdirSync(join(tree, dir));
    } catch {
      continue;
    }
    for (const name of names) {
      const path = dir === '.' ? name : `${dir}/${name}`;
      if (isFile(join(tree, path))) paths.add(path);
    }
  }
  for (const path of paths) {
    const to = join(out, 'tree', String(i), path);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(join(tree, path), to);
  }
  return [...paths].sort();
}

function isFile(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function upload() {
  if (!uri) return;
  const result = spawnSync('aws', ['s3', 'cp', '--recursive', '--only-show-errors', out, uri], {
    stdio: 'inherit',
  });
  if (result.status !== 0) fail(`could not upload the test results to ${uri}`);
}

/**
 * The secret as functions/shared/database/environment-connection.ts reads it (RDS secret JSON):
 * TLS verify-full unless the secret says otherwise.
 */
function connectionUrl(text) {
  let secret;
  try {
    secret = JSON.parse(text);
  } catch {
    fail('the database secret is not JSON (RDS secret JSON expected)');
  }
  if (!secret.host || !secret.username) fail('the database secret lacks host or username');
  const url = new URL(`postgres://${secret.host}:${secret.port ?? 5432}/${secret.dbname ?? 'postgres'}`);
  url.username = secret.username;
  url.password = secret.password ?? '';
  url.searchParams.set('sslmode', typeof secret.sslmode === 'string' ? secret.sslmode : 'verify-full');
  if (typeof secret.sslrootcert === 'string' && secret.sslrootcert)
    url.searchParams.set('sslrootcert', secret.sslrootcert);
  return url.toString();
}

function parseTests(text) {
  let parsed;
  try {
    parsed = JSON.parse(text ?? '');
  } catch {
    fail('TOLLGATE_TESTS is not JSON');
  }
  const ok = (t) =>
    t &&
    typeof t.name === 'string' &&
    typeof t.run === 'string' &&
    Number.isFinite(t.timeoutSeconds) &&
    Array.isArray(t.reportDirs) &&
    Array.isArray(t.files);
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every(ok))
    fail('TOLLGATE_TESTS must be a non-empty list of {name, run, timeoutSeconds, env, reportDirs, files}');
  return parsed.map((t) => ({ ...t, env: t.env ?? {} }));
}

function fail(message) {
  console.error(`run-test-stages: ${message}`);
  process.exit(1);
}
