import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerImage, FileSystem } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { CONFIG_FILE } from '../../functions/shared/wiring/env.js';

/*
 * Every function reads the pipeline config, and Lambda caps a function's variables at 4 KB in total,
 * which a config with a dozen masking rules outgrows. So each bundle carries the config as a file
 * beside index.mjs (functions/shared/wiring/env.ts reads it once per container). Reading one S3
 * object instead would add a call, a grant and a failure mode to every cold start.
 */

/**
 * Calls `build` with NodejsFunction command hooks that copy `config` into the bundle's output, and
 * removes the staged copy afterwards: NodejsFunction bundles before its constructor returns. The copy
 * is a `cp` because local bundling runs hooks with `bash -c`; the staged file lives on this machine,
 * so Docker bundling (only used when esbuild is not installed) cannot reach it and fails the synth.
 */
export function withConfigHooks<T>(config: string, build: (hooks: nodejs.ICommandHooks) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-config-'));
  const staged = join(dir, CONFIG_FILE);
  writeFileSync(staged, config);
  try {
    return build({
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (_inputDir, outputDir) => [
        `cp ${shellQuote(staged)} ${shellQuote(join(outputDir, CONFIG_FILE))}`,
      ],
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A prebuilt bundle directory (`dist/lambda/<name>/`) plus the config file, staged by a local copy.
 * The config's digest is part of the asset hash: a config change is a new asset, and CDK's
 * in-process staging cache (keyed by that hash) never hands one config's copy to another function.
 */
export function prebuiltCodeWithConfig(dir: string, config: string): lambda.Code {
  const hash = createHash('sha256').update(FileSystem.fingerprint(dir)).update(config).digest('hex');
  return lambda.Code.fromAsset(dir, {
    assetHash: hash,
    bundling: {
      // The type requires an image; the local copy below always succeeds, so it is never pulled.
      image: DockerImage.fromRegistry('scratch'),
      local: {
        tryBundle(outputDir: string): boolean {
          cpSync(dir, outputDir, { recursive: true });
          writeFileSync(join(outputDir, CONFIG_FILE), config);
          return true;
        },
      },
    },
  });
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
