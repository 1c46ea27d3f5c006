/**
 * The release: the one immutable thing Tollgate promotes. Stored once, content-addressed, and
 * referred to everywhere else by version + digest.
 */
export interface ReleaseMetadata {
  readonly pipeline: string;
  /** Monotonic per pipeline: `r<sequence>-<short commit>`, e.g. `r42-1a2b3c4`. */
  readonly version: string;
  readonly sequence: number;
  readonly commit: string;
  readonly branch: string;
  readonly repository: string;
  readonly author: { readonly name: string; readonly email: string };
  readonly message: string;
  readonly commitTime: string;
  readonly buildTime: string;
  /** `sha256:<64 hex>` of the artifact tarball. */
  readonly digest: string;
  readonly size: number;
  /** Content-addressed key of the artifact in the ArtifactStore. */
  readonly artifactKey: string;
  /** Image digest when the build also produced a container image. */
  readonly imageDigest?: string;
  readonly executionArn: string;
  readonly registeredAt: string;
}

/** What moves between states: enough to find the release without carrying its metadata around. */
export interface ReleaseRef {
  readonly version: string;
  readonly digest: string;
  readonly artifactKey: string;
  readonly commit: string;
  readonly imageDigest?: string;
}

export function toReleaseRef(m: ReleaseMetadata): ReleaseRef {
  return {
    version: m.version,
    digest: m.digest,
    artifactKey: m.artifactKey,
    commit: m.commit,
    ...(m.imageDigest ? { imageDigest: m.imageDigest } : {}),
  };
}
