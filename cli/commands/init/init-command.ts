import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { CliError, ExitCode } from '../../client/cli-error.js';
import { emit } from '../../client/output.js';
import { buildCommand, configText } from './config-text.js';
import { IGNORED_PATHS, ignoreGeneratedPaths } from './ignored-paths.js';
import { repositoryFacts } from './repository-facts.js';

export interface InitOptions {
  readonly repo?: string;
  readonly basePort?: number;
  readonly json?: boolean;
}

const CONFIG = 'tollgate.config.ts';
export const NEXT_COMMANDS = ['npx tollgate up', 'npx tollgate hook install'] as const;

function gitRoot(dir: string): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--show-toplevel'], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

function readPackageJson(path: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {}
  throw new CliError(`${path} is not a JSON object; fix it, then run tollgate init again`, ExitCode.Usage);
}

/**
 * `tollgate init`: writes a commented tollgate.config.ts for the repository from what it finds
 * and ignores what Tollgate generates in it (`.tollgate/`, `cdk.out/`). Every refusal is checked before anything is written, so a refused init
 * changes nothing.
 */
export async function initCommand(options: InitOptions): Promise<void> {
  const dir = resolve(options.repo ?? '.');
  if (!existsSync(dir)) throw new CliError(`${dir} does not exist`, ExitCode.Usage);
  const configPath = join(dir, CONFIG);
  if (existsSync(configPath))
    throw new CliError(`${configPath} already exists; tollgate init leaves it as it is`, ExitCode.Usage);
  if (!gitRoot(dir))
    throw new CliError(`${dir} is not in a git repository; run \`git init\` first`, ExitCode.Usage);
  const packagePath = join(dir, 'package.json');
  if (!existsSync(packagePath))
    throw new CliError(`${dir} has no package.json; tollgate init reads its scripts`, ExitCode.Usage);
  const facts = repositoryFacts(dir, readPackageJson(packagePath));
  const withAuthor = { ...facts, author: facts.author ?? userInfo().username };

  writeFileSync(configPath, configText(withAuthor, { base: options.basePort ?? 4701 }), { flag: 'wx' });
  const ignored = ignoreGeneratedPaths(dir);

  emit(
    options.json,
    {
      config: configPath,
      gitignore: ignored,
      facts: withAuthor,
      build: buildCommand(facts),
      next: NEXT_COMMANDS,
    },
    () => [
      `wrote ${CONFIG} for ${facts.name}: build \`${buildCommand(facts)}\`, start ${facts.startScript ? '`npm start`' : 'none found (edit deploy.command)'}, migrations ${facts.migrations ?? 'none'}, health ${facts.health ? `${facts.health.path} (${facts.health.seenIn})` : 'none found (edit healthPath)'}`,
      ignored.length
        ? `added ${ignored.join(' and ')} to .gitignore`
        : `.gitignore already ignores ${IGNORED_PATHS.join(' and ')}`,
      'next:',
      `  ${NEXT_COMMANDS[0]}              # the local runtime and console for this repository`,
      `  ${NEXT_COMMANDS[1]}    # (another terminal) every commit then runs the pipeline`,
    ],
  );
}
