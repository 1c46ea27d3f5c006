import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ImmutableConflictError, InvalidInputError, NotFoundError } from '../../errors.js';
import type { ArtifactStore, IngestResult } from '../../ports/artifact-store.js';
import { assertBody, assertPointerValue, BLOB_PREFIX } from '../artifact-input.js';
import { assertKey, assertPrefix } from '../artifact-key.js';
import { isConditionalConflict, isNotFound, isPreconditionFailed } from './s3-errors.js';
import { copyIfAbsent } from './s3-multipart-copy.js';
import { streamToS3 } from './s3-streaming-upload.js';

export interface S3ArtifactStoreOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Key prefix inside the bucket, e.g. `tollgate/`. @default '' */
  readonly prefix?: string;
  /** Multipart part size in bytes, at least S3's 5 MiB minimum. @default 8 MiB */
  readonly partSize?: number;
}

/** User metadata that tells a pointer write it must not replace a release record. */
const KIND = 'tollgate-kind';
const CONFLICT_RETRIES = 5;
/** Multipart staging lives beside the store's keys; a leading dot keeps it out of every `list`. */
const STAGING = '.staging/';

/**
 * The S3 artifact store. Immutability is enforced by S3 itself with conditional writes
 * (If-None-Match: '*' on PutObject and CopyObject), not by a read-then-write race.
 */
export class S3ArtifactStore implements ArtifactStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly partSize: number;

  constructor(options: S3ArtifactStoreOptions) {
    if (!options?.client) throw new InvalidInputError('S3ArtifactStore needs an S3 client');
    if (typeof options.bucket !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.bucket))
      throw new InvalidInputError(`S3ArtifactStore bucket "${options.bucket}" is not a valid S3 bucket name`);
    const prefix = options.prefix ?? '';
    if (prefix !== '') {
      assertPrefix(prefix);
      if (!prefix.endsWith('/'))
        throw new InvalidInputError(`S3ArtifactStore prefix "${prefix}" must end with "/"`);
    }
    const partSize = options.partSize ?? 8 * 1024 * 1024;
    if (!Number.isInteger(partSize) || partSize < 5 * 1024 * 1024 || partSize > 512 * 1024 * 1024)
      throw new InvalidInputError('S3ArtifactStore partSize must be an integer between 5 MiB and 512 MiB');
    this.client = options.client;
    this.bucket = options.bucket;
    this.prefix = prefix;
    this.partSize = partSize;
  }

  async ingest(source: Readable): Promise<IngestResult> {
    const staged = await streamToS3(this.client, {
      bucket: this.bucket,
      stagingKey: `${this.prefix}${STAGING}${randomUUID()}`,
      partSize: this.partSize,
      source,
    });
    const hex = staged.digest.slice('sha256:'.length);
    const key = `${BLOB_PREFIX}${hex}`;
    const metadata = { [KIND]: 'immutable', sha256: hex };
    let created: boolean;
    if (staged.body) {
      // Small artifact, still in memory: one conditional put, with S3 verifying our digest.
      created = await this.conditional(() =>
        this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: this.s3Key(key),
            Body: staged.body,
            ContentType: 'application/octet-stream',
            Metadata: metadata,
            ChecksumSHA256: Buffer.from(hex, 'hex').toString('base64'),
            IfNoneMatch: '*',
          }),
        ),
      );
    } else {
      const stagingKey = staged.stagingKey!;
      try {
        created = await copyIfAbsent(this.client, {
          bucket: this.bucket,
          sourceKey: stagingKey,
          targetKey: this.s3Key(key),
          size: staged.size,
          contentType: 'application/octet-stream',
          metadata,
        });
      } finally {
        await this.client
          .send(new DeleteObjectCommand({ Bucket: this.bucket, Key: stagingKey }))
          .catch(() => undefined);
      }
    }
    // Equal digests mean equal bytes, so an existing blob is the same artifact.
    return { key, digest: staged.digest, size: staged.size, created };
  }

  async putImmutable(
    key: string,
    body: Uint8Array | string,
    contentType?: string,
  ): Promise<{ created: boolean }> {
    assertKey(key);
    assertBody(key, body, contentType);
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
    const created = await this.conditional(() =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.s3Key(key),
          Body: bytes,
          ContentType: contentType ?? 'application/octet-stream',
          Metadata: { [KIND]: 'immutable' },
          IfNoneMatch: '*',
        }),
      ),
    );
    if (created) return { created: true };
    const existing = await this.getBytes(key);
    if (existing && Buffer.compare(existing, bytes) === 0) return { created: false };
    throw new ImmutableConflictError(
      `${key} already exists with different content; immutable objects are written once`,
    );
  }

  async putPointer(key: string, value: unknown): Promise<void> {
    assertKey(key);
    const json = assertPointerValue(key, value);
    const head = await this.client
      .send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.s3Key(key) }))
      .catch((error) => (isNotFound(error) ? undefined : Promise.reject(error)));
    if (head?.Metadata?.[KIND] === 'immutable')
      throw new ImmutableConflictError(`${key} is an immutable object; a pointer cannot replace it`);
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.s3Key(key),
        Body: json,
        ContentType: 'application/json',
        Metadata: { [KIND]: 'pointer' },
      }),
    );
  }

  async getPointer<T>(key: string): Promise<T | undefined> {
    const text = await this.getText(key);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new InvalidInputError(`${key} is not a JSON pointer document`);
    }
  }

  async open(key: string): Promise<Readable> {
    assertKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.s3Key(key) }));
      if (out.Body instanceof Readable) return out.Body;
      throw new InvalidInputError(
        'S3ArtifactStore needs the Node.js S3 client (its bodies are Node streams)',
      );
    } catch (error) {
      if (isNotFound(error))
        throw new NotFoundError(`artifact ${key} does not exist in s3://${this.bucket}/${this.prefix}`);
      throw error;
    }
  }

  async getText(key: string): Promise<string | undefined> {
    const bytes = await this.getBytes(key);
    return bytes?.toString('utf8');
  }

  async exists(key: string): Promise<boolean> {
    assertKey(key);
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.s3Key(key) }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async list(prefix: string): Promise<string[]> {
    assertPrefix(prefix);
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.s3Key(prefix),
          ContinuationToken: token,
        }),
      );
      for (const object of page.Contents ?? []) {
        const key = object.Key?.slice(this.prefix.length);
        if (key && !key.split('/').some((segment) => segment.startsWith('.'))) keys.push(key);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    // S3 already lists in UTF-8 binary order; keys are ASCII, so this sort is the same order.
    return keys.sort();
  }

  private async getBytes(key: string): Promise<Buffer | undefined> {
    assertKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.s3Key(key) }));
      if (!out.Body) return Buffer.alloc(0);
      return Buffer.from(await out.Body.transformToByteArray());
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Runs a write with If-None-Match: '*'; true when it created the object, false on 412. */
  private async conditional(write: () => Promise<unknown>): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await write();
        return true;
      } catch (error) {
        if (isPreconditionFailed(error)) return false;
        // 409: a concurrent conditional write to the key was in flight; S3 documents "retry".
        if (isConditionalConflict(error) && attempt < CONFLICT_RETRIES) continue;
        throw error;
      }
    }
  }

  private s3Key(key: string): string {
    return `${this.prefix}${key}`;
  }
}
