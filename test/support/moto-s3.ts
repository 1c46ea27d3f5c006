import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { MotoServer } from './moto-server.js';

/**
 * An S3 client for a moto_server. Path-style, because moto on 127.0.0.1 serves no per-bucket
 * virtual hosts; a fresh bucket per case keeps the contract's "empty store" precondition.
 */
export function motoS3Client(moto: MotoServer): S3Client {
  return new S3Client({ ...moto.clientConfig, forcePathStyle: true });
}

/**
 * Creates a bucket named `<stem>-<random>`. With `objectLock`, as the stack creates the ledger
 * bucket: Object Lock enabled at creation, which also turns versioning on.
 */
export async function createMotoBucket(
  client: S3Client,
  stem: string,
  options: { readonly objectLock?: boolean } = {},
): Promise<string> {
  const bucket = `${stem}-${randomUUID().slice(0, 8)}`;
  await client.send(
    new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: options.objectLock === true }),
  );
  return bucket;
}
