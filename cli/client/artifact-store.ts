import { join } from 'node:path';
import { DirArtifactStore } from '../../functions/shared/adapters/local/dir-artifact-store.js';
import type { ArtifactStore } from '../../functions/shared/ports/artifact-store.js';
import { StackOutput } from '../../infra/stack-output-names.js';
import type { AwsCliTarget, CliTarget } from './cli-context.js';

/** Where the target keeps releases: the data directory's store, or the stack's bucket with --aws. */
export async function artifactsOf(target: CliTarget): Promise<ArtifactStore> {
  if (target.mode === 'local') return new DirArtifactStore(join(target.dataDir, 'artifacts'));
  const [{ S3ArtifactStore }, { S3Client }] = await Promise.all([
    import('../../functions/shared/adapters/aws/s3-artifact-store.js'),
    import('@aws-sdk/client-s3'),
  ]);
  return new S3ArtifactStore({
    client: new S3Client({}),
    bucket: await (target as AwsCliTarget).output(StackOutput.ArtifactBucketName),
  });
}
