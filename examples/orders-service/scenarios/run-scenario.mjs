#!/usr/bin/env node
// Replays a scenario's commits on a demo repository:
//   node run-scenario.mjs <scenario dir> --repo <demo repo> [--only <commit id>] [--json]
// Each commit writes and deletes the files its scenario.json names, with the scenario's author and
// message. With the Tollgate hook installed (tollgate up --demo installs it) every commit starts a
// run; without it, run `npx tollgate push --repo <demo repo>` after each commit. The expected outcome
// and what to do next (approve, reject) are printed per commit.
//
// Everything is checked before the first file is touched: a bad scenario or repository changes
// nothing and ends with one line on stderr.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

class ScenarioError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ScenarioError';
  }
}

const SCENARIOS = dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const args = { dir: undefined, repo: undefined, only: undefined, json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') args.json = true;
    else if (arg === '--repo' || arg === '--only') {
      const value = argv[++i];
      if (!value || value.startsWith('--')) throw new ScenarioError(`${arg} needs a value`);
      args[arg.slice(2)] = value;
    } else if (arg.startsWith('--')) throw new ScenarioError(`unknown option ${arg}`);
    else if (args.dir)
      throw new ScenarioError(`one scenario directory at a time, got "${args.dir}" and "${arg}"`);
    else args.dir = arg;
  }
  if (!args.dir)
    throw new ScenarioError(
      'usage: run-scenario.mjs <scenario dir> --repo <demo repo> [--only <commit id>] [--json]',
    );
  if (!args.repo) throw new ScenarioError('--repo <demo repo> is required');
  return args;
}

/** A scenario-relative directory name (a-happy-path) or a path to one. */
function scenarioFile(dir) {
  const full = existsSync(dir) ? resolve(dir) : join(SCENARIOS, dir);
  const file = join(full, 'scenario.json');
  if (!existsSync(file)) throw new ScenarioError(`no scenario.json in ${full}`);
  return file;
}

function readScenario(file) {
  let scenario;
  try {
    scenario = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ScenarioError(`${file} is not valid JSON: ${error.message}`);
  }
  if (typeof scenario?.scenario !== 'string')
    throw new ScenarioError(`${file}: "scenario" must name the scenario`);
  if (!Array.isArray(scenario.commits) || scenario.commits.length === 0)
    throw new ScenarioError(`${file}: "commits" must be a non-empty list`);
  const ids = new Set();
  scenario.commits.forEach((commit, i) => {
    const where = `${file}: commits[${i}]`;
    if (typeof commit?.id !== 'string' || !commit.id)
      throw new ScenarioError(`${where}.id must be a non-empty string`);
    if (ids.has(commit.id)) throw new ScenarioError(`${where}.id "${commit.id}" is used twice`);
    ids.add(commit.id);
    if (typeof commit.message !== 'string' || !commit.message.trim())
      throw new ScenarioError(`${where}.message must be a non-empty string`);
    if (typeof commit.author?.name !== 'string' || typeof commit.author?.email !== 'string')
      throw new ScenarioError(`${where}.author must be {name, email}`);
    if (typeof commit.write !== 'object' || commit.write === null || Array.isArray(commit.write))
      throw new ScenarioError(`${where}.write must be an object of path -> {content} or {from}`);
    if (!Array.isArray(commit.delete)) throw new ScenarioError(`${where}.delete must be a list of paths`);
    if (Object.keys(commit.write).length + commit.delete.length === 0)
      throw new ScenarioError(`${where} changes no file`);
    for (const [path, source] of Object.entries(commit.write)) {
      repoPath(path, where);
      const hasContent = typeof source?.content === 'string';
      const hasFrom = typeof source?.from === 'string';
      if (hasContent === hasFrom)
        throw new ScenarioError(`${where}.write["${path}"] needs exactly one of content or from`);
      if (hasFrom) {
        const from = resolve(dirname(file), source.from);
        if (!from.startsWith(SCENARIOS + sep) || !existsSync(from) || !statSync(from).isFile())
          throw new ScenarioError(
            `${where}.write["${path}"].from "${source.from}" is not a file under ${SCENARIOS}`,
          );
      }
    }
    for (const path of commit.delete) repoPath(path, where);
  });
  return scenario;
}

/** A path inside the repository: relative, no `..`, never into .git. */
function repoPath(path, where) {
  const clean = typeof path === 'string' ? normalize(path) : '';
  if (!clean || isAbsolute(clean) || clean.split(sep).some((p) => p === '..' || p === '.git'))
    throw new ScenarioError(`${where}: "${path}" must be a relative path inside the repository`);
  return clean;
}

function gitIn(repo) {
  return (args, env) =>
    execFileSync('git', args, {
      cwd: repo,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    }).trim();
}

function checkRepository(repo) {
  if (!existsSync(repo)) throw new ScenarioError(`--repo ${repo} does not exist`);
  let top;
  try {
    top = gitIn(repo)(['rev-parse', '--show-toplevel']);
  } catch {
    throw new ScenarioError(`--repo ${repo} is not a git repository`);
  }
  if (resolve(top) !== resolve(repo))
    throw new ScenarioError(`--repo ${repo} is inside ${top}; give the repository root`);
  if (gitIn(repo)(['status', '--porcelain']))
    throw new ScenarioError(`--repo ${repo} has uncommitted changes; commit or stash them first`);
}

function apply(file, repo, commit) {
  const git = gitIn(repo);
  for (const [path, source] of Object.entries(commit.write)) {
    const target = join(repo, normalize(path));
    mkdirSync(dirname(target), { recursive: true });
    const content = source.content ?? readFileSync(resolve(dirname(file), source.from), 'utf8');
    writeFileSync(target, content);
  }
  for (const path of commit.delete) rmSync(join(repo, normalize(path)), { force: true });
  git(['add', '-A', '--', ...Object.keys(commit.write), ...commit.delete]);
  const { name, email } = commit.author;
  // The commit hook (if installed) emits the event; the author is what approvals compare against.
  git(['-c', 'commit.gpgsign=false', 'commit', '-q', '-m', commit.message], {
    GIT_AUTHOR_NAME: name,
    GIT_AUTHOR_EMAIL: email,
    GIT_COMMITTER_NAME: name,
    GIT_COMMITTER_EMAIL: email,
  });
  return {
    id: commit.id,
    commit: git(['rev-parse', 'HEAD']),
    message: commit.message,
    next: commit.next ?? [],
    expect: commit.expect ?? {},
  };
}

function checkDeletes(commits, repo, file) {
  const written = new Set();
  for (const commit of commits) {
    for (const path of commit.delete) {
      const clean = normalize(path);
      if (!written.has(clean) && !existsSync(join(repo, clean)))
        throw new ScenarioError(
          `${file}: commit "${commit.id}" deletes ${path}, which ${repo} does not have`,
        );
      written.delete(clean);
    }
    for (const path of Object.keys(commit.write)) written.add(normalize(path));
  }
}

function describe(applied) {
  const next = applied.next.map((step) =>
    step.approve
      ? `approve at ${step.approve}: npx tollgate approve <run> --env ${step.approve} --as ${step.as}`
      : step.reject
        ? `reject at ${step.reject}: npx tollgate reject <run> --env ${step.reject} --as ${step.as} --reason "${step.reason}"`
        : step.load
          ? `keep traffic on ${step.load} during the run: node examples/orders-service/scenarios/load-generator.mjs --url http://127.0.0.1:<${step.load} port>${step.path} --rps ${step.rps}`
          : JSON.stringify(step),
  );
  return [
    `${applied.id}: committed ${applied.commit.slice(0, 7)} "${applied.message}"`,
    ...next.map((line) => `  then ${line}`),
    `  expect ${JSON.stringify(applied.expect)}`,
  ].join('\n');
}

function main(argv) {
  const args = parseArgs(argv);
  const file = scenarioFile(args.dir);
  const scenario = readScenario(file);
  const repo = resolve(args.repo);
  checkRepository(repo);
  const commits = args.only ? scenario.commits.filter((c) => c.id === args.only) : scenario.commits;
  if (commits.length === 0) {
    const known = scenario.commits.map((c) => c.id).join(', ');
    throw new ScenarioError(`scenario ${scenario.scenario} has no commit "${args.only}" (known: ${known})`);
  }
  checkDeletes(commits, repo, file);
  const applied = [];
  for (const commit of commits) {
    applied.push(apply(file, repo, commit));
    if (!args.json) console.log(describe(applied.at(-1)));
  }
  if (args.json) console.log(JSON.stringify({ scenario: scenario.scenario, commits: applied }));
}

try {
  main(process.argv.slice(2));
} catch (error) {
  const message = error instanceof ScenarioError ? error.message : `${error.name}: ${error.message}`;
  console.error(`run-scenario: ${message.split('\n')[0]}`);
  process.exitCode = error instanceof ScenarioError ? 1 : 3;
}
