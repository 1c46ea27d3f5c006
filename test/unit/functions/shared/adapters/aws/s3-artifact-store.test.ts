import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { S3ArtifactStore } from '../../../../../../functions/shared/adapters/aws/s3-artifact-store.js';
import { FakeS3 } from '../../../../../support/fake-s3.js';
import { artifactStoreContract } from '../../ports/artifact-store.contract.js';

const MiB = 1024 * 1024;

describe('S3ArtifactStore', () => {
  const s3 = mockClient(S3Client);
  afterEach(() => {
    s3.reset();
  });

  artifactStoreContract('S3ArtifactStore', async () => {
    new FakeS3(['artifacts'], 2).install(s3);
    return {
      store: new S3ArtifactStore({ client: new S3Client({}), bucket: 'artifacts', prefix: 'tollgate/' }),
    };
  });

  describe('ingest', () => {
    let fake: FakeS3;
    let store: S3ArtifactStore;
    beforeEach(() => {
      fake = new FakeS3(['artifacts']).install(s3);
      store = new S3ArtifactStore({ client: new S3Client({}), bucket: 'artifacts', partSize: 5 * MiB });
    });

    it('uploads part-sized pieces and removes the staging object when the artifact spans several parts', async () => {
      // Arrange
      const bytes = Buffer.alloc(11 * MiB + 5, 7);
      // Act
      const result = await store.ingest(Readable.from([bytes.subarray(0, 3 * MiB), bytes.subarray(3 * MiB)]));
      // Assert
      const parts = s3.commandCalls(UploadPartCommand).map((c) => (c.args[0].input.Body as Buffer).length);
      expect(parts).toEqual([5 * MiB, 5 * MiB, MiB + 5]);
      expect(s3.commandCalls(UploadPartCopyCommand).map((c) => c.args[0].input.CopySourceRange)).toEqual([
        `bytes=0-${bytes.length - 1}`,
      ]);
      expect(s3.commandCalls(CompleteMultipartUploadCommand).at(-1)?.args[0].input).toMatchObject({
        Key: result.key,
        IfNoneMatch: '*',
      });
      expect(fake.keys('artifacts')).toEqual([result.key]);
      expect(fake.uploads.size).toBe(0);
      expect(result.digest).toBe(`sha256:${createHash('sha256').update(bytes).digest('hex')}`);
    });

    it('returns created false and leaves no open upload when a multi-part artifact is ingested again', async () => {
      // Arrange
      const bytes = Buffer.alloc(6 * MiB, 3);
      const first = await store.ingest(Readable.from([bytes]));
      // Act
      const second = await store.ingest(Readable.from([bytes]));
      // Assert
      expect(second).toEqual({ ...first, created: false });
      expect(fake.keys('artifacts')).toEqual([first.key]);
      expect(fake.uploads.size).toBe(0);
    });

    it('sends one conditional put carrying the sha256 checksum when the artifact fits in one part', async () => {
      // Arrange
      const bytes = Buffer.from('small release');
      // Act
      await store.ingest(Readable.from([bytes]));
      // Assert
      expect(s3.commandCalls(UploadPartCommand)).toHaveLength(0);
      expect(s3.commandCalls(PutObjectCommand)[0].args[0].input).toMatchObject({
        IfNoneMatch: '*',
        ChecksumSHA256: createHash('sha256').update(bytes).digest('base64'),
      });
    });

    it('aborts the multipart upload and leaves no object when the stream fails after parts were sent', async () => {
      // Arrange
      async function* failing() {
        yield Buffer.alloc(12 * MiB, 1);
        throw new Error('build log truncated');
      }
      // Act
      const attempt = store.ingest(Readable.from(failing()));
      // Assert
      await expect(attempt).rejects.toThrow('build log truncated');
      expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(1);
      expect(fake.uploads.size).toBe(0);
      expect(fake.keys('artifacts')).toEqual([]);
    });
  });

  describe('putImmutable', () => {
    it('retries and succeeds when S3 answers 409 ConditionalRequestConflict', async () => {
      // Arrange
      const fake = new FakeS3(['artifacts']).install(s3);
      const conflict = new S3ServiceException({
        name: 'ConditionalRequestConflict',
        $fault: 'client',
        $metadata: { httpStatusCode: 409 },
        message: 'A conflicting operation occurred.',
      });
      const put = fake.objects.set.bind(fake.objects);
      s3.on(PutObjectCommand)
        .rejectsOnce(conflict)
        .callsFake(async (input) => {
          put(`artifacts/${input.Key}`, { body: Buffer.from(input.Body), metadata: {}, etag: '"x"' });
          return {};
        });
      const store = new S3ArtifactStore({ client: new S3Client({}), bucket: 'artifacts' });
      // Act
      const result = await store.putImmutable('releases/p/r1.json', '{}');
      // Assert
      expect(result).toEqual({ created: true });
      expect(s3.commandCalls(PutObjectCommand)).toHaveLength(2);
    });
  });

  describe('constructor', () => {
    const client = new S3Client({});
    it.each([
      ['the bucket name is invalid', { client, bucket: 'Not_A_Bucket' }, /not a valid S3 bucket name/],
      [
        'the prefix does not end in "/"',
        { client, bucket: 'artifacts', prefix: 'tollgate' },
        /must end with "\/"/,
      ],
      ['the prefix climbs out', { client, bucket: 'artifacts', prefix: '../x/' }, /"\." or "\.\." segments/],
      [
        'the part size is below the S3 minimum',
        { client, bucket: 'artifacts', partSize: MiB },
        /between 5 MiB/,
      ],
    ])('throws InvalidInput when %s', (_what, options, message) => {
      // Act + Assert
      expect(() => new S3ArtifactStore(options)).toThrow(message);
    });
  });
});
