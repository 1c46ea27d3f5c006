import {
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Ledger } from '../../../../../../functions/shared/adapters/aws/s3-ledger.js';
import { createMotoBucket, motoS3Client } from '../../../../../support/moto-s3.js';
import { type MotoServer, motoEnabled, startMotoServer } from '../../../../../support/moto-server.js';
import { ledgerContract, ledgerEntry } from '../../ports/ledger.contract.js';

const YEAR = 365 * 86_400;

/**
 * moto's exception, documented: moto accepts an Object Lock put only with Content-MD5 or the
 * `x-amz-sdk-checksum-algorithm` header, while S3Ledger sends the checksum itself
 * (`x-amz-checksum-sha256`, from ChecksumSHA256), which S3 accepts as the integrity check Object
 * Lock needs. The adapter keeps what S3 takes; only this moto run's client names the algorithm of
 * the checksum the request already carries, so moto gets the header it looks for.
 */
function withChecksumAlgorithmHeader(client: S3Client): S3Client {
  client.middlewareStack.add(
    (next) => async (args) => {
      const headers = (args.request as { headers?: Record<string, string> }).headers;
      if (headers?.['x-amz-checksum-sha256'] && !headers['x-amz-sdk-checksum-algorithm'])
        headers['x-amz-sdk-checksum-algorithm'] = 'SHA256';
      return next(args);
    },
    { step: 'finalizeRequest', name: 'motoObjectLockChecksumAlgorithm' },
  );
  return client;
}

describe.runIf(motoEnabled('S3Ledger on moto_server'))('S3Ledger on moto_server', () => {
  let moto: MotoServer;
  const lockedBucket = () => createMotoBucket(motoS3Client(moto), 'ledger', { objectLock: true });
  const open = (bucket: string) =>
    new S3Ledger({
      client: withChecksumAlgorithmHeader(motoS3Client(moto)),
      bucket,
      retentionSeconds: 7 * YEAR,
    });
  beforeAll(async () => {
    moto = await startMotoServer();
  });
  afterAll(async () => {
    await moto?.stop();
  });

  ledgerContract('S3Ledger (moto, Object Lock bucket)', async () => {
    const bucket = await lockedBucket();
    return { ledger: open(bucket), reopen: () => open(bucket) };
  });

  it('locks every entry and its marker in governance mode, and a delete of a locked version is refused', async () => {
    // Arrange
    const bucket = await lockedBucket();
    const s3 = motoS3Client(moto);
    // Act
    await open(bucket).append(ledgerEntry(1, { at: '2026-03-01T10:00:00.000Z' }));
    // Assert
    const { Versions = [] } = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    expect(Versions.map((v) => v.Key).sort()).toEqual([
      'ledger/entries/000000000001.json',
      expect.stringMatching(/^ledger\/idem\/[0-9a-f]{64}$/),
    ]);
    for (const version of Versions) {
      // HeadObject, not GetObjectRetention: moto 5.2 answers the latter with a 500.
      const head = await s3.send(
        new HeadObjectCommand({ Bucket: bucket, Key: version.Key, VersionId: version.VersionId }),
      );
      expect(head.ObjectLockMode).toBe('GOVERNANCE');
      expect(head.ObjectLockRetainUntilDate?.toISOString()).toBe(
        new Date(Date.parse('2026-03-01T10:00:00.000Z') + 7 * YEAR * 1000).toISOString(),
      );
    }
    const entry = Versions.find((v) => v.Key?.includes('entries/'));
    await expect(
      s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: entry?.Key, VersionId: entry?.VersionId })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    expect((await open(bucket).query()).map((e) => e.data.n)).toEqual([1]);
  });

  it("documents moto's gap: without the algorithm header moto refuses the put S3 accepts", async () => {
    // Arrange
    const bucket = await lockedBucket();
    const bare = new S3Ledger({ client: motoS3Client(moto), bucket, retentionSeconds: 7 * YEAR });
    // Act
    const append = bare.append(ledgerEntry(1));
    // Assert: when this starts passing, moto closed the gap and withChecksumAlgorithmHeader can go.
    await expect(append).rejects.toMatchObject({ name: 'MissingUploadObjectWithObjectLockHeaders' });
  });
});
