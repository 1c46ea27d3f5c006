import {
  DescribeImagesCommand,
  ECRClient,
  ImageNotFoundException,
  PutImageCommand,
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { EcrImageRegistry } from '../../../../../../functions/shared/adapters/aws/ecr-image-registry.js';
import { FakeEcr, type TagMutability } from '../../../../../support/fake-ecr.js';
import { imageRegistryContract } from '../../ports/image-registry.contract.js';

const manifest = (seed: string) =>
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: `sha256:${seed.padEnd(64, '0')}`,
      size: 2,
    },
    layers: [],
  });

describe('EcrImageRegistry', () => {
  const ecr = mockClient(ECRClient);
  afterEach(() => {
    ecr.reset();
  });

  const fixture = (mutability: TagMutability) => async () => {
    const fake = new FakeEcr({ 'orders-service': { mutability, exclusions: ['env-*'] } }).install(ecr);
    return {
      registry: new EcrImageRegistry({ client: new ECRClient({}), repositoryName: 'orders-service' }),
      pushImage: async (seed: string) => fake.push('orders-service', manifest(seed)),
    };
  };

  imageRegistryContract(
    'EcrImageRegistry (IMMUTABLE_WITH_EXCLUSION env-*)',
    fixture('IMMUTABLE_WITH_EXCLUSION'),
  );
  // A repository left MUTABLE must not let release tags move: the adapter checks before it puts.
  imageRegistryContract('EcrImageRegistry (MUTABLE repository)', fixture('MUTABLE'));

  it('sends the manifest bytes, media type and digest it read when it tags', async () => {
    // Arrange
    const fake = new FakeEcr({
      repo: { mutability: 'IMMUTABLE_WITH_EXCLUSION', exclusions: ['env-*'] },
    }).install(ecr);
    const digest = fake.push('repo', manifest('a'));
    const registry = new EcrImageRegistry({ client: new ECRClient({}), repositoryName: 'repo' });
    // Act
    await registry.tag(digest, 'release-r1-abcdef0');
    // Assert
    expect(ecr.commandCalls(PutImageCommand)[0].args[0].input).toEqual({
      repositoryName: 'repo',
      imageManifest: manifest('a'),
      imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
      imageDigest: digest,
      imageTag: 'release-r1-abcdef0',
    });
  });

  it('throws ImmutableConflict when another writer sets the release tag between the check and the put', async () => {
    // Arrange
    const fake = new FakeEcr({
      repo: { mutability: 'IMMUTABLE_WITH_EXCLUSION', exclusions: ['env-*'] },
    }).install(ecr);
    const winner = fake.push('repo', manifest('a'));
    const loser = fake.push('repo', manifest('b'));
    const registry = new EcrImageRegistry({ client: new ECRClient({}), repositoryName: 'repo' });
    await registry.tag(winner, 'release-r1-abcdef0');
    // The pre-put check reads a stale "tag not found", as it would in a race.
    ecr
      .on(DescribeImagesCommand)
      .rejects(new ImageNotFoundException({ message: 'not found', $metadata: {} }));
    // Act
    const attempt = registry.tag(loser, 'release-r1-abcdef0');
    // Assert
    await expect(attempt).rejects.toMatchObject({ name: 'Tollgate.ImmutableConflict' });
  });

  it('surfaces RepositoryNotFoundException when the repository does not exist', async () => {
    // Arrange
    new FakeEcr({}).install(ecr);
    const registry = new EcrImageRegistry({ client: new ECRClient({}), repositoryName: 'missing' });
    // Act + Assert
    await expect(registry.resolve('env-test')).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });
  });

  it.each([['Upper'], ['a'], ['bad//name'], ['-lead']])(
    'throws InvalidInput when the repository name is %s',
    (repositoryName) => {
      // Act + Assert
      expect(() => new EcrImageRegistry({ client: new ECRClient({}), repositoryName })).toThrow(
        /not a valid ECR repository name/,
      );
    },
  );
});
