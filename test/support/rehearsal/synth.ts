import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { loadConfigWithInput } from '../../../functions/shared/config/load-config.js';
import type { TollgateConfigInput } from '../../../functions/shared/config/schema.js';
import { REPO_ROOT } from '../../../infra/repo-paths.js';
import { TollgateStack } from '../../../infra/tollgate-stack.js';

const REHEARSAL_CONFIG = resolve(REPO_ROOT, 'examples/orders-service/aws/tollgate.config.ts');
export const STACK_NAME = 'Tollgate';

export interface SynthesizedStack {
  readonly outdir: string;
  readonly config: TollgateConfigInput;
  // biome-ignore lint/suspicious/noExplicitAny: CloudFormation template JSON is untyped
  readonly template: any;
  /** Asset hash (the `S3Key` of a function's Code, without `.zip`) → the bundled directory. */
  readonly assets: ReadonlyMap<string, string>;
}

/**
 * Synthesizes the stack as `cdk synth -c config=<configPath>` would (esbuild bundling included)
 * into a temp cdk.out; everything account-specific comes from the config's `aws` block.
 */
export async function synthesizeStack(configPath = REHEARSAL_CONFIG): Promise<SynthesizedStack> {
  const config = await loadRehearsalConfig(configPath);
  const outdir = mkdtempSync(join(tmpdir(), 'tollgate-rehearsal-cdk-'));
  const app = new App({ outdir });
  new TollgateStack(app, STACK_NAME, { config });
  const assembly = app.synth();
  const template = JSON.parse(readFileSync(join(assembly.directory, `${STACK_NAME}.template.json`), 'utf8'));
  const assets = new Map<string, string>();
  for (const entry of readdirSync(assembly.directory)) {
    const match = /^asset\.([0-9a-f]{64})$/.exec(entry);
    if (match) assets.set(match[1], join(assembly.directory, entry));
  }
  return { outdir: assembly.directory, config, template, assets };
}

/**
 * The config as the user wrote it, `aws` block included: the config the functions' bundles carry
 * leaves that block out, so a reused cdk.out reads it from the same file synth did.
 */
export async function loadRehearsalConfig(configPath = REHEARSAL_CONFIG): Promise<TollgateConfigInput> {
  const { input } = await loadConfigWithInput(dirname(configPath), { file: basename(configPath) });
  return input as TollgateConfigInput;
}
