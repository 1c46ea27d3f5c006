import {
  BatchGetImageCommand,
  DescribeImagesCommand,
  type ECRClient,
  PutImageCommand,
} from '@aws-sdk/client-ecr';
import { ImmutableConflictError, InvalidInputError, NotFoundError } from '../../errors.js';
import type { ImageRegistry } from '../../ports/image-registry.js';
import { assertDigest, assertTag, isMutableTag, MANIFEST_MEDIA_TYPES } from '../image-reference.js';

export interface EcrImageRegistryOptions {
  readonly client: ECRClient;
  readonly repositoryName: string;
}

/** ECR's repository name grammar (namespaces separated by "/"). */
const REPOSITORY = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

const errorName = (error: unknown) => (error as { name?: string } | undefined)?.name;

/**
 * ECR has no "add tag" call: tagging re-puts the image's existing manifest under the new tag
 * (BatchGetImage by digest, then PutImage with the same bytes and media type), which ECR treats as
 * the same image because the manifest digest is unchanged.
 */
export class EcrImageRegistry implements ImageRegistry {
  private readonly client: ECRClient;
  private readonly repositoryName: string;

  constructor(options: EcrImageRegistryOptions) {
    if (!options?.client) throw new InvalidInputError('EcrImageRegistry needs an ECR client');
    const name = options.repositoryName;
    if (typeof name !== 'string' || name.length < 2 || name.length > 256 || !REPOSITORY.test(name))
      throw new InvalidInputError(
        `EcrImageRegistry repositoryName "${String(name)}" is not a valid ECR repository name`,
      );
    this.client = options.client;
    this.repositoryName = name;
  }

  async resolve(tag: string): Promise<string | undefined> {
    assertTag(tag);
    const details = await this.describe({ imageTag: tag });
    return details?.imageDigest;
  }

  async tag(digest: string, tag: string): Promise<{ created: boolean }> {
    assertDigest(digest);
    assertTag(tag);
    const found = await this.client.send(
      new BatchGetImageCommand({
        repositoryName: this.repositoryName,
        imageIds: [{ imageDigest: digest }],
        // Without this, ECR may convert an OCI manifest to Docker v2 and PutImage would mint a new digest.
        acceptedMediaTypes: [...MANIFEST_MEDIA_TYPES],
      }),
    );
    const image = found.images?.find((i) => i.imageId?.imageDigest === digest);
    if (!image?.imageManifest)
      throw new NotFoundError(`image ${digest} is not in ECR repository ${this.repositoryName}`);
    if (!isMutableTag(tag)) {
      // The repository should be IMMUTABLE_WITH_EXCLUSION, but the port's promise must not depend on it.
      const current = await this.resolve(tag);
      if (current === digest) return { created: false };
      if (current !== undefined) throw conflict(tag, current);
    }
    try {
      await this.client.send(
        new PutImageCommand({
          repositoryName: this.repositoryName,
          imageManifest: image.imageManifest,
          imageManifestMediaType: image.imageManifestMediaType,
          imageDigest: digest,
          imageTag: tag,
        }),
      );
      return { created: true };
    } catch (error) {
      // Same digest already carries this tag: a re-invocation, nothing to do.
      if (errorName(error) === 'ImageAlreadyExistsException') return { created: false };
      // Another writer set the immutable tag on a different digest between our read and our put.
      if (errorName(error) === 'ImageTagAlreadyExistsException')
        throw conflict(tag, 'another digest', error instanceof Error ? error : undefined);
      throw error;
    }
  }

  async tagsOf(digest: string): Promise<string[]> {
    assertDigest(digest);
    const details = await this.describe({ imageDigest: digest });
    return [...(details?.imageTags ?? [])].sort();
  }

  private async describe(imageId: { imageTag?: string; imageDigest?: string }) {
    try {
      const out = await this.client.send(
        new DescribeImagesCommand({ repositoryName: this.repositoryName, imageIds: [imageId] }),
      );
      return out.imageDetails?.[0];
    } catch (error) {
      if (errorName(error) === 'ImageNotFoundException') return undefined;
      throw error;
    }
  }
}

function conflict(tag: string, current: string, cause?: Error): ImmutableConflictError {
  return new ImmutableConflictError(`tag ${tag} already points at ${current}; release tags never move`, {
    cause,
  });
}
