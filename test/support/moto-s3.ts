import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { MotoServer } from './moto-server.js';

/**
 * An S3 client for a moto_server. Path-style, because moto on 127.0.0.1 serves no per-bucket
 * virtual hosts; a fresh bucket per case keeps the contract's "empty store" precondition.
 *
 * moto's exception, documented: S3 settles `If-None-Match: *` atomically, so of two concurrent
 * conditional writes to one key exactly one succeeds; moto 5.2 looks the key up and then writes it
 * without a lock, so under concurrency both can succeed (and on a versioned bucket one silently
 * becomes a non-current version). This client therefore sends its conditional writes one at a
 * time: each still races the adapter's other writes for the key and still gets S3's 412 when it
 * loses, but moto's check and write are no longer interleaved with another conditional write's.
 */
export function motoS3Client(moto: MotoServer): S3Client {
  const client = new S3Client({ ...moto.clientConfig, forcePathStyle: true });
  let previous: Promise<unknown> = Promise.resolve();
  client.middlewareStack.add(
    (next) => async (args) => {
      const headers = (args.request as { headers?: Record<string, string> }).headers ?? {};
      if (headers['if-none-match'] !== '*' && headers['If-None-Match'] !== '*') return next(args);
      const turn = previous.catch(() => undefined).then(() => next(args));
      previous = turn;
      return turn;
    },
    { step: 'finalizeRequest', name: 'motoOneConditionalWriteAtATime' },
  );
  return client;
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
