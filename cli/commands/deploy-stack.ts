import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_STACK, setting } from '../client/cli-context.js';
import { CliError, ExitCode } from '../client/cli-error.js';
import { emit } from '../client/output.js';

/** The Tollgate package (a checkout, or node_modules/tollgate in the user's repository). */
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const CDK_INSTALL = 'npm install --save-dev aws-cdk@2 aws-cdk-lib@2 constructs@10 cdk-nag@2';

export interface DeployStackOptions {
  readonly repo?: string;
  readonly stack?: string;
  readonly synthOnly?: boolean;
  readonly json?: boolean;
}

/**
 * `tollgate deploy-stack [-- cdk args]`: Tollgate's own CDK app (`infra/app.ts`, shipped compiled
 * as `dist/cdk/app.js`) deployed by the repository's aws-cdk CLI against its tollgate.config.ts.
 * The app path and context keys stay inside the package, so an upgrade needs no regenerated
 * cdk.json, and a repository with its own CDK app keeps its cdk.json (it uses `tollgate/cdk`).
 */
export async function deployStackCommand(
  cdkArgs: readonly string[],
  options: DeployStackOptions,
): Promise<void> {
  const repo = resolve(options.repo ?? process.cwd());
  const config = join(repo, 'tollgate.config.ts');
  if (!existsSync(config)) {
    throw new CliError(`no tollgate.config.ts in ${repo}; run npx tollgate init first`, ExitCode.Usage);
  }
  const cdk = cdkCli(repo);
  const stack = options.stack ?? setting('TOLLGATE_STACK') ?? DEFAULT_STACK;
  const output = join(repo, 'cdk.out');
  const verb = options.synthOnly ? ['synth', '--quiet'] : ['deploy'];
  const args = [
    cdk,
    ...verb,
    '--app',
    appCommand(),
    '--context',
    `config=${config}`,
    '--context',
    `stackName=${stack}`,
    '--output',
    output,
    ...cdkArgs,
  ];
  const code = await new Promise<number>((done, fail) => {
    const child = spawn(process.execPath, args, {
      cwd: repo,
      // --json keeps stdout for the one JSON document; cdk's progress goes to stderr then.
      stdio: ['inherit', options.json ? process.stderr : 'inherit', 'inherit'],
    });
    child.once('error', fail);
    child.once('exit', (exitCode, signal) => done(exitCode ?? (signal ? 128 : 1)));
  });
  if (code !== 0) throw new CliError(`cdk ${verb[0]} exited with code ${code}`, code);
  const template = join(output, `${stack}.template.json`);
  emit(options.json, { stack, template, deployed: !options.synthOnly }, () =>
    options.synthOnly ? [`synthesized ${stack}: ${template}`] : [`deployed ${stack}`],
  );
}

/** The aws-cdk CLI the repository installed (else the one beside Tollgate, in a checkout). */
function cdkCli(repo: string): string {
  // The app imports these from where Tollgate is installed (optional peer dependencies).
  const libraries = ['aws-cdk-lib', 'constructs', 'cdk-nag'].every((pkg) => resolvesFrom(PACKAGE_ROOT, pkg));
  const cli = resolveBin(repo, 'aws-cdk', 'cdk') ?? resolveBin(PACKAGE_ROOT, 'aws-cdk', 'cdk');
  if (!libraries || !cli) {
    throw new CliError(`deploy-stack needs the AWS CDK in this repository: ${CDK_INSTALL}`, ExitCode.Usage);
  }
  return cli;
}

function resolveBin(from: string, pkg: string, bin: string): string | undefined {
  try {
    const manifestPath = createRequire(join(from, 'package.json')).resolve(`${pkg}/package.json`);
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin?: Record<string, string> };
    const relative = manifest.bin?.[bin];
    return relative ? join(dirname(manifestPath), relative) : undefined;
  } catch {
    return undefined;
  }
}

function resolvesFrom(from: string, pkg: string): boolean {
  try {
    createRequire(join(from, 'package.json')).resolve(`${pkg}/package.json`);
    return true;
  } catch {
    return false;
  }
}

/**
 * cdk runs `--app` through a shell. A checkout runs the app's TypeScript (as its cdk.json does);
 * an installed package, which ships no infra/ sources, runs the compiled app.
 */
function appCommand(): string {
  const source = join(PACKAGE_ROOT, 'infra/app.ts');
  // Quoted only when needed: cdk strips a leading quote off the whole --app string.
  const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : JSON.stringify(s));
  if (existsSync(source)) {
    const tsx = pathToFileURL(createRequire(join(PACKAGE_ROOT, 'package.json')).resolve('tsx')).href;
    return `${quote(process.execPath)} --import ${quote(tsx)} ${quote(source)}`;
  }
  return `${quote(process.execPath)} ${quote(join(PACKAGE_ROOT, 'dist/cdk/app.js'))}`;
}
