/**
 * Container images (ECR on AWS, an OCI image layout directory locally). Release tags are
 * immutable; only `env-<name>` tags move.
 */
export interface ImageRegistry {
  /** Digest of the image a tag points at, or undefined. */
  resolve(tag: string): Promise<string | undefined>;
  /**
   * Points `tag` at the manifest with `digest`. Re-tagging the same digest is a no-op; moving an
   * immutable (non `env-`) tag to another digest throws ImmutableConflictError.
   */
  tag(digest: string, tag: string): Promise<{ created: boolean }>;
  /** Tags that currently point at `digest`. */
  tagsOf(digest: string): Promise<string[]>;
}
