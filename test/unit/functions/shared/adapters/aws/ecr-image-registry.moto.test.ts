import { createHash, randomUUID } from 'node:crypto';
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  ECRClient,
  type ImageTagMutability,
  PutImageCommand,
  PutImageTagMutabilityCommand,
} from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EcrImageRegistry } from '../../../../../../functions/shared/adapters/aws/ecr-image-registry.js';
import { type MotoServer, motoEnabled, startMotoServer } from '../../../../../support/moto-server.js';
import { imageRegistryContract } from '../../ports/image-registry.contract.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const sha = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

/**
 * One layer per seed: moto derives an image's digest from its layer digests (ECR hashes the
 * manifest bytes), so images must differ in their layers to get distinct digests here.
 */
const manifest = (seed: string) =>
  JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(`config-${seed}`), size: 2 },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha(seed), size: 1 }],
  });

/**
 * moto's exception, documented: moving an immutable tag to another digest fails on ECR with
 * ImageTagAlreadyExistsException, which the adapter turns into ImmutableConflict; moto raises
 * ImageAlreadyExistsException (ECR's name for "this digest already has this tag"), which the adapter
 * rightly reads as a re-invocation. The contract's cases never reach it (the adapter resolves the tag
 * before it puts); only a writer racing in between would, and the test below pins moto's name so
 * that the gap is visible and noticed when moto fixes it.
 */
describe.runIf(motoEnabled('EcrImageRegistry on moto_server'))('EcrImageRegistry on moto_server', () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMotoServer();
  });
  afterAll(async () => {
    await moto?.stop();
  });

  async function repository(mutability: ImageTagMutability) {
    const client = new ECRClient(moto.clientConfig);
    const repositoryName = `orders-${randomUUID().slice(0, 8)}`;
    // As the stack creates it (infra/constructs/pipeline-storage.ts).
    const settings = {
      repositoryName,
      imageTagMutability: mutability,
      ...(mutability === 'IMMUTABLE_WITH_EXCLUSION'
        ? { imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD' as const, filter: 'env-*' }] }
        : {}),
    };
    await client.send(new CreateRepositoryCommand(settings));
    const push = async (seed: string) => {
      // moto answers an untagged push into a repository with exclusion filters with a 500 (it
      // matches the filters against a missing tag), so the push lands while the repository is
      // MUTABLE; every call of the adapter runs under the stack's setting.
      await client.send(new PutImageTagMutabilityCommand({ repositoryName, imageTagMutability: 'MUTABLE' }));
      const out = await client.send(
        new PutImageCommand({
          repositoryName,
          imageManifest: manifest(seed),
          imageManifestMediaType: OCI_MANIFEST,
        }),
      );
      await client.send(new PutImageTagMutabilityCommand(settings));
      return out.image?.imageId?.imageDigest as string;
    };
    return { client, repositoryName, push };
  }

  const fixture = (mutability: ImageTagMutability) => async () => {
    const { client, repositoryName, push } = await repository(mutability);
    return { registry: new EcrImageRegistry({ client, repositoryName }), pushImage: push };
  };

  imageRegistryContract(
    'EcrImageRegistry (moto, IMMUTABLE_WITH_EXCLUSION env-*)',
    fixture('IMMUTABLE_WITH_EXCLUSION'),
  );
  imageRegistryContract('EcrImageRegistry (moto, MUTABLE repository)', fixture('MUTABLE'));

  it("documents moto's gap: moving an immutable tag raises ImageAlreadyExistsException, not ECR's ImageTagAlreadyExistsException", async () => {
    // Arrange
    const { client, repositoryName, push } = await repository('IMMUTABLE_WITH_EXCLUSION');
    const first = await push('a');
    await push('b');
    await new EcrImageRegistry({ client, repositoryName }).tag(first, 'release-r1-abcdef0');
    // Act: what a writer racing past the adapter's resolve would send.
    const move = client.send(
      new PutImageCommand({
        repositoryName,
        imageManifest: manifest('b'),
        imageManifestMediaType: OCI_MANIFEST,
        imageTag: 'release-r1-abcdef0',
      }),
    );
    // Assert: when this fails, moto uses ECR's name and this test's comment can go.
    await expect(move).rejects.toMatchObject({ name: 'ImageAlreadyExistsException' });
    const { imageDetails } = await client.send(
      new DescribeImagesCommand({ repositoryName, imageIds: [{ imageTag: 'release-r1-abcdef0' }] }),
    );
    expect(imageDetails?.[0]?.imageDigest).toBe(first);
  });
});
