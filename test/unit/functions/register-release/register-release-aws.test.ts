import { createHash } from 'node:crypto';
import { ECRClient } from '@aws-sdk/client-ecr';
import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { registerRelease } from '../../../../functions/register-release/register-release.js';
import { EcrImageRegistry } from '../../../../functions/shared/adapters/aws/ecr-image-registry.js';
import { S3ArtifactStore } from '../../../../functions/shared/adapters/aws/s3-artifact-store.js';
import { ManualClock } from '../../../../functions/shared/clock.js';
import { FakeEcr } from '../../../support/fake-ecr.js';
import { FakeS3 } from '../../../support/fake-s3.js';
import { COMMIT, configFor, inputFor, RecordingLedger } from './register-release-fixture.js';

describe('registerRelease on the AWS adapters', () => {
  const s3 = mockClient(S3Client);
  const ecr = mockClient(ECRClient);
  afterEach(() => {
    s3.reset();
    ecr.reset();
  });

  it('stores, tags and records one release when the task is invoked twice', async () => {
    // Arrange
    const bucket = new FakeS3(['tollgate-artifacts']).install(s3);
    const registry = new FakeEcr({
      orders: { mutability: 'IMMUTABLE_WITH_EXCLUSION', exclusions: ['env-*'] },
    }).install(ecr);
    const tarball = Buffer.from('release tarball bytes');
    bucket.objects.set(`tollgate-artifacts/builds/${COMMIT}/release.tgz`, {
      body: tarball,
      metadata: {},
      etag: '"b"',
    });
    const imageDigest = registry.push(
      'orders',
      JSON.stringify({ mediaType: 'application/vnd.oci.image.manifest.v1+json' }),
    );
    const ledger = new RecordingLedger();
    const deps = {
      artifacts: new S3ArtifactStore({ client: new S3Client({}), bucket: 'tollgate-artifacts' }),
      images: new EcrImageRegistry({ client: new ECRClient({}), repositoryName: 'orders' }),
      ledger,
      clock: new ManualClock('2026-01-02T03:04:05.000Z'),
      config: configFor(true),
      source: { commitsBetween: async () => ({ listed: false as const, detail: 'no history in this test' }) },
    };
    const input = inputFor({ build: { artifactKey: `builds/${COMMIT}/release.tgz`, imageDigest } });
    // Act
    const first = await registerRelease(input, deps);
    const again = await registerRelease(input, deps);
    // Assert
    const hex = createHash('sha256').update(tarball).digest('hex');
    expect(again).toEqual(first);
    expect(first).toMatchObject({ version: 'r1-1a2b3c4', digest: `sha256:${hex}`, imageDigest });
    expect(bucket.keys('tollgate-artifacts')).toEqual([
      `blobs/sha256/${hex}`,
      `builds/${COMMIT}/release.tgz`,
      `releases/orders/by-commit/${COMMIT}.json`,
      expect.stringMatching(/^releases\/orders\/by-run\/[0-9a-f]{64}\.json$/),
      // The run's effective config, once for both invocations (tollgate diff compares them).
      expect.stringMatching(/^releases\/orders\/configs\/[0-9a-f]{64}\.json$/),
      'releases/orders/r1-1a2b3c4.json',
      'releases/orders/seq/0000000001',
    ]);
    expect(await deps.images.tagsOf(imageDigest)).toEqual(['release-r1-1a2b3c4']);
    expect(ledger.releases).toHaveLength(1);
  });
});
