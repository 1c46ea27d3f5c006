import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CONFIG_FILE, configDigest } from '../../functions/shared/wiring/env.js';

/*
 * Every function reads the pipeline config, and Lambda caps a function's variables at 4 KB in total,
 * which a config with a dozen masking rules outgrows. So each bundle carries the config as a file
 * beside index.mjs (functions/shared/wiring/env.ts reads it once per container). Reading one S3
 * object instead would add a call, a grant and a failure mode to every cold start.
 */

/** Where a function's code comes from: esbuild run now, or a bundle `npm run build` already made. */
export type CodeSource =
  | { readonly from: 'esbuild'; readonly bundle: (outputDir: string) => void }
  | { readonly from: 'build'; readonly dir: string };

/**
 * The function's code asset: the bundle (made by `source` into CDK's staging directory) plus the
 * config file beside it. The asset hash is the hash of that output, so a reused bundle and a fresh one
 * of the same code are the same asset, and any change to the code or the config is a new one.
 * `sourcePath` only names the asset for CDK; the config's digest goes into its in-process staging
 * cache key (extraHash), so one config's copy is never handed to another function with the same code.
 * `onBundled` learns which source was used; bundling runs only for stacks CDK bundles.
 */
export function functionCode(
  sourcePath: string,
  source: () => CodeSource,
  config: string | undefined,
  onBundled: (from: CodeSource['from']) => void,
): lambda.Code {
  return lambda.Code.fromAsset(sourcePath, {
    assetHashType: AssetHashType.OUTPUT,
    ...(config === undefined ? {} : { extraHash: configDigest(config) }),
    bundling: {
      // The type requires an image; the local bundling below succeeds or throws, so it is never pulled.
      image: DockerImage.fromRegistry('scratch'),
      local: {
        tryBundle(outputDir: string): boolean {
          const chosen = source();
          if (chosen.from === 'build') cpSync(chosen.dir, outputDir, { recursive: true });
          else chosen.bundle(outputDir);
          if (config !== undefined) writeFileSync(join(outputDir, CONFIG_FILE), config);
          onBundled(chosen.from);
          return true;
        },
      },
    },
  });
}
