import { InvalidInputError } from '../errors.js';

/** The OCI distribution spec's tag grammar, which ECR follows too. */
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** Only environment tags move; release tags are immutable (ECR IMMUTABLE_WITH_EXCLUSION on `env-*`). */
export const isMutableTag = (tag: string) => tag.startsWith('env-');

export function assertTag(tag: unknown): asserts tag is string {
  if (typeof tag !== 'string' || !TAG.test(tag))
    throw new InvalidInputError(
      `image tag "${String(tag)}" is invalid: use up to 128 of A-Z a-z 0-9 _ . -, not starting with "." or "-"`,
    );
}

export function assertDigest(digest: unknown): asserts digest is string {
  if (typeof digest !== 'string' || !DIGEST.test(digest))
    throw new InvalidInputError(
      `image digest "${String(digest)}" is invalid: expected "sha256:" and 64 lowercase hex digits`,
    );
}

export const MEDIA_TYPES = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;

/** What a tag may point at: a single-platform manifest or a multi-platform index. */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.dockerManifest,
  MEDIA_TYPES.dockerManifestList,
];
