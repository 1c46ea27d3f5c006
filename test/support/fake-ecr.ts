import { createHash } from 'node:crypto';
import {
  BatchGetImageCommand,
  DescribeImagesCommand,
  ImageAlreadyExistsException,
  ImageNotFoundException,
  ImageTagAlreadyExistsException,
  InvalidParameterException,
  PutImageCommand,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import type { AwsStub } from 'aws-sdk-client-mock';

export type TagMutability = 'MUTABLE' | 'IMMUTABLE' | 'IMMUTABLE_WITH_EXCLUSION' | 'MUTABLE_WITH_EXCLUSION';

interface Repository {
  readonly mutability: TagMutability;
  readonly exclusions: readonly string[];
  readonly images: Map<string, { manifest: string; mediaType: string }>;
  readonly tags: Map<string, string>;
}

interface ImageId {
  imageDigest?: string;
  imageTag?: string;
}

// biome-ignore lint/suspicious/noExplicitAny: aws-sdk-client-mock's stub is generic over every ECR input/output
type EcrStub = AwsStub<any, any, any>;

const $metadata = { httpStatusCode: 400 };

/**
 * A stateful in-memory ECR behind aws-sdk-client-mock, enforcing the rules the adapter relies on:
 * the manifest digest must match `imageDigest`, tag immutability per repository setting with
 * wildcard exclusion filters, and the real exception names (ImageAlreadyExistsException,
 * ImageTagAlreadyExistsException, ImageNotFoundException, RepositoryNotFoundException).
 */
export class FakeEcr {
  private readonly repositories = new Map<string, Repository>();

  constructor(repositories: Record<string, { mutability: TagMutability; exclusions?: readonly string[] }>) {
    for (const [name, settings] of Object.entries(repositories))
      this.repositories.set(name, {
        mutability: settings.mutability,
        exclusions: settings.exclusions ?? [],
        images: new Map(),
        tags: new Map(),
      });
  }

  install(stub: EcrStub): this {
    stub.on(BatchGetImageCommand).callsFake(async (i) => this.batchGetImage(i));
    stub.on(PutImageCommand).callsFake(async (i) => this.putImage(i));
    stub.on(DescribeImagesCommand).callsFake(async (i) => this.describeImages(i));
    return this;
  }

  /** What `docker push` of an untagged image does; returns the manifest digest. */
  push(
    repositoryName: string,
    manifest: string,
    mediaType = 'application/vnd.oci.image.manifest.v1+json',
  ): string {
    const digest = digestOf(manifest);
    this.repository(repositoryName).images.set(digest, { manifest, mediaType });
    return digest;
  }

  private batchGetImage(input: { repositoryName: string; imageIds: ImageId[] }) {
    const repo = this.repository(input.repositoryName);
    const images: unknown[] = [];
    const failures: unknown[] = [];
    for (const id of input.imageIds) {
      const digest = this.find(repo, id);
      const image = digest ? repo.images.get(digest) : undefined;
      if (!digest || !image) {
        failures.push({
          imageId: id,
          failureCode: 'ImageNotFound',
          failureReason: 'Requested image not found',
        });
        continue;
      }
      images.push({
        repositoryName: input.repositoryName,
        imageId: { imageDigest: digest, ...(id.imageTag ? { imageTag: id.imageTag } : {}) },
        imageManifest: image.manifest,
        imageManifestMediaType: image.mediaType,
      });
    }
    return { images, failures };
  }

  private putImage(input: {
    repositoryName: string;
    imageManifest: string;
    imageManifestMediaType?: string;
    imageTag?: string;
    imageDigest?: string;
  }) {
    const repo = this.repository(input.repositoryName);
    const digest = digestOf(input.imageManifest);
    if (input.imageDigest && input.imageDigest !== digest)
      throw new InvalidParameterException({
        message: 'Invalid parameter: imageDigest does not match the manifest',
        $metadata,
      });
    const mediaType = input.imageManifestMediaType ?? JSON.parse(input.imageManifest).mediaType;
    const tag = input.imageTag;
    if (tag === undefined || repo.tags.get(tag) === digest) {
      if (repo.images.has(digest))
        throw new ImageAlreadyExistsException({
          message: `Image with digest '${digest}'${tag ? ` and tag '${tag}'` : ''} already exists in the repository`,
          $metadata,
        });
    } else if (repo.tags.has(tag) && this.immutable(repo, tag)) {
      throw new ImageTagAlreadyExistsException({
        message: `The image tag '${tag}' already exists in the '${input.repositoryName}' repository and cannot be overwritten because the tag is immutable.`,
        $metadata,
      });
    }
    repo.images.set(digest, { manifest: input.imageManifest, mediaType });
    if (tag) repo.tags.set(tag, digest);
    return {
      image: {
        repositoryName: input.repositoryName,
        imageId: { imageDigest: digest, ...(tag ? { imageTag: tag } : {}) },
        imageManifest: input.imageManifest,
        imageManifestMediaType: mediaType,
      },
    };
  }

  private describeImages(input: { repositoryName: string; imageIds?: ImageId[] }) {
    const repo = this.repository(input.repositoryName);
    const digests = input.imageIds
      ? input.imageIds.map((id) => this.find(repo, id))
      : [...repo.images.keys()];
    if (digests.some((d) => d === undefined || !repo.images.has(d)))
      throw new ImageNotFoundException({
        message: 'The image requested does not exist in the specified repository.',
        $metadata,
      });
    return {
      imageDetails: (digests as string[]).map((digest) => {
        const tags = [...repo.tags].filter(([, d]) => d === digest).map(([t]) => t);
        return {
          repositoryName: input.repositoryName,
          imageDigest: digest,
          imageManifestMediaType: repo.images.get(digest)?.mediaType,
          ...(tags.length > 0 ? { imageTags: tags } : {}),
        };
      }),
    };
  }

  private find(repo: Repository, id: ImageId): string | undefined {
    if (id.imageTag !== undefined) {
      const digest = repo.tags.get(id.imageTag);
      if (id.imageDigest !== undefined && digest !== id.imageDigest) return undefined;
      return digest;
    }
    return id.imageDigest;
  }

  private immutable(repo: Repository, tag: string): boolean {
    const excluded = repo.exclusions.some((filter) => wildcard(filter).test(tag));
    if (repo.mutability === 'IMMUTABLE') return true;
    if (repo.mutability === 'MUTABLE') return false;
    return repo.mutability === 'IMMUTABLE_WITH_EXCLUSION' ? !excluded : excluded;
  }

  private repository(name: string): Repository {
    const repo = this.repositories.get(name);
    if (!repo)
      throw new RepositoryNotFoundException({
        message: `The repository with name '${name}' does not exist in the registry`,
        $metadata,
      });
    return repo;
  }
}

function digestOf(manifest: string): string {
  return `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
}

function wildcard(filter: string): RegExp {
  return new RegExp(`^${filter.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
}
