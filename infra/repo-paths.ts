import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAMBDA_OUT_DIR } from './lambda-build.js';

/** The repository root: the parent of infra/. Paths in the stack resolve from here, not from cwd. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const DEFAULT_DEFINITION_PATH = resolve(REPO_ROOT, 'statemachines/pipeline.asl.json');
/**
 * What `cdk synth` reads with no config given: the example's AWS config (ECS environments, Aurora,
 * an image); the local one deploys processes, which the AWS deployer cannot run.
 */
export const EXAMPLE_CONFIG_PATH = resolve(REPO_ROOT, 'examples/orders-service/aws/tollgate.config.ts');

export function handlerEntry(root: string, functionName: string): string {
  return resolve(root, 'functions', functionName, 'handler.ts');
}

/** Where `npm run build` puts each function's bundle, for a package installed without sources. */
const PREBUILT_LAMBDA_DIR = resolve(REPO_ROOT, LAMBDA_OUT_DIR);

/** The prebuilt bundle directory of a function (holding `index.mjs`), when the package has one. */
export function prebuiltHandlerDir(functionName: string): string | undefined {
  const dir = resolve(PREBUILT_LAMBDA_DIR, functionName);
  return existsSync(resolve(dir, 'index.mjs')) ? dir : undefined;
}
