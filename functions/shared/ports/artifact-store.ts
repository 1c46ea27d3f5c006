import type { Readable } from 'node:stream';

/**
 * Where artifacts, release metadata and pointers live (S3 on AWS, a directory locally).
 *
 * Two kinds of object:
 * - immutable: content-addressed blobs and release records. Written once; a second write with the
 *   same bytes is a no-op success, with different bytes an ImmutableConflictError.
 * - pointers: small mutable JSON documents (e.g. "env test runs r42"). Versioned on S3.
 */
export interface ArtifactStore {
  /**
   * Streams `source` into the store under `blobs/sha256/<hex>` while hashing it, never buffering
   * the whole artifact in memory. Returns the digest; `created` is false when the blob already existed.
   */
  ingest(source: Readable): Promise<IngestResult>;
  /** Writes `key` once. Same bytes again: `{created:false}`. Different bytes: ImmutableConflictError. */
  putImmutable(key: string, body: Uint8Array | string, contentType?: string): Promise<{ created: boolean }>;
  /** Overwrites a pointer document. */
  putPointer(key: string, value: unknown): Promise<void>;
  getPointer<T>(key: string): Promise<T | undefined>;
  /** Opens an object for streaming; NotFoundError when absent. */
  open(key: string): Promise<Readable>;
  getText(key: string): Promise<string | undefined>;
  exists(key: string): Promise<boolean>;
  /** Keys under a prefix, in lexicographic order. */
  list(prefix: string): Promise<string[]>;
}

export interface IngestResult {
  readonly key: string;
  readonly digest: string;
  readonly size: number;
  readonly created: boolean;
}
