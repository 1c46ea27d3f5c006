import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3ServiceException,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import type { AwsStub } from 'aws-sdk-client-mock';

interface StoredObject {
  readonly body: Buffer;
  readonly contentType?: string;
  readonly metadata: Record<string, string>;
  readonly etag: string;
}

interface Upload {
  readonly bucket: string;
  readonly key: string;
  readonly contentType?: string;
  readonly metadata: Record<string, string>;
  readonly parts: Map<number, { body: Buffer; etag: string }>;
}

const MIN_PART = 5 * 1024 * 1024;
const MAX_COPY = 5 * 1024 * 1024 * 1024;

// biome-ignore lint/suspicious/noExplicitAny: aws-sdk-client-mock's stub is generic over every S3 input/output
type S3Stub = AwsStub<any, any, any>;

/**
 * A stateful in-memory S3 behind aws-sdk-client-mock that enforces the service rules the adapter
 * depends on: If-None-Match on PutObject / CopyObject / CompleteMultipartUpload (412), UploadPartCopy ranges, the 5 MiB
 * minimum part size, ETag checks on completion, the 5 GiB CopyObject limit, ChecksumSHA256
 * verification, NoSuchKey / NotFound, and ListObjectsV2 pagination in UTF-8 binary key order.
 */
export class FakeS3 {
  readonly objects = new Map<string, StoredObject>();
  readonly uploads = new Map<string, Upload>();
  private nextUpload = 1;

  constructor(
    private readonly buckets: readonly string[],
    private readonly pageSize = 1000,
  ) {}

  install(stub: S3Stub): this {
    stub.on(PutObjectCommand).callsFake(async (i) => this.putObject(i));
    stub.on(GetObjectCommand).callsFake(async (i) => this.getObject(i));
    stub.on(HeadObjectCommand).callsFake(async (i) => this.headObject(i));
    stub.on(DeleteObjectCommand).callsFake(async (i) => this.deleteObject(i));
    stub.on(ListObjectsV2Command).callsFake(async (i) => this.listObjects(i));
    stub.on(CopyObjectCommand).callsFake(async (i) => this.copyObject(i));
    stub.on(CreateMultipartUploadCommand).callsFake(async (i) => this.createUpload(i));
    stub.on(UploadPartCommand).callsFake(async (i) => this.uploadPart(i));
    stub.on(UploadPartCopyCommand).callsFake(async (i) => this.uploadPartCopy(i));
    stub.on(CompleteMultipartUploadCommand).callsFake(async (i) => this.completeUpload(i));
    stub.on(AbortMultipartUploadCommand).callsFake(async (i) => this.abortUpload(i));
    return this;
  }

  /** Keys of one bucket (what a person would see in the console). */
  keys(bucket: string): string[] {
    return [...this.objects.keys()]
      .filter((k) => k.startsWith(`${bucket}/`))
      .map((k) => k.slice(bucket.length + 1))
      .sort();
  }

  private async putObject(input: PutObjectInput) {
    const bucket = this.bucket(input.Bucket);
    const body = await toBuffer(input.Body);
    if (input.ChecksumSHA256 && input.ChecksumSHA256 !== createHash('sha256').update(body).digest('base64'))
      throw error('BadDigest', 400, 'The SHA256 you specified did not match the calculated checksum.');
    this.precondition(bucket, input.Key, input.IfNoneMatch);
    return { ETag: this.store(bucket, input.Key, body, input.ContentType, input.Metadata) };
  }

  private getObject(input: { Bucket: string; Key: string }) {
    const object = this.object(input.Bucket, input.Key, 'get');
    return {
      Body: sdkStream(object.body),
      ContentLength: object.body.length,
      ContentType: object.contentType,
      ETag: object.etag,
      Metadata: { ...object.metadata },
    };
  }

  private headObject(input: { Bucket: string; Key: string }) {
    const object = this.object(input.Bucket, input.Key, 'head');
    return {
      ContentLength: object.body.length,
      ContentType: object.contentType,
      ETag: object.etag,
      Metadata: { ...object.metadata },
    };
  }

  private deleteObject(input: { Bucket: string; Key: string }) {
    this.objects.delete(`${this.bucket(input.Bucket)}/${input.Key}`);
    return {};
  }

  private listObjects(input: {
    Bucket: string;
    Prefix?: string;
    ContinuationToken?: string;
    MaxKeys?: number;
  }) {
    const all = this.keys(this.bucket(input.Bucket)).filter((k) => k.startsWith(input.Prefix ?? ''));
    const start = input.ContinuationToken ? Number(input.ContinuationToken) : 0;
    const size = Math.min(input.MaxKeys ?? this.pageSize, this.pageSize);
    const page = all.slice(start, start + size);
    const more = start + size < all.length;
    return {
      Contents: page.map((Key) => ({ Key, Size: this.objects.get(`${input.Bucket}/${Key}`)?.body.length })),
      KeyCount: page.length,
      IsTruncated: more,
      ...(more ? { NextContinuationToken: String(start + size) } : {}),
    };
  }

  private copyObject(input: CopyInput) {
    const bucket = this.bucket(input.Bucket);
    const [sourceBucket, ...rest] = input.CopySource.split('/');
    const source = this.object(sourceBucket, decodeURIComponent(rest.join('/')), 'get');
    if (source.body.length > MAX_COPY)
      throw error(
        'InvalidRequest',
        400,
        'The specified copy source is larger than the maximum allowable size for a copy source: 5368709120',
      );
    this.precondition(bucket, input.Key, input.IfNoneMatch);
    const replace = input.MetadataDirective === 'REPLACE';
    const etag = this.store(
      bucket,
      input.Key,
      source.body,
      replace ? input.ContentType : source.contentType,
      replace ? input.Metadata : source.metadata,
    );
    return { CopyObjectResult: { ETag: etag } };
  }

  private createUpload(input: {
    Bucket: string;
    Key: string;
    ContentType?: string;
    Metadata?: Record<string, string>;
  }) {
    const UploadId = `upload-${this.nextUpload++}`;
    this.uploads.set(UploadId, {
      bucket: this.bucket(input.Bucket),
      key: input.Key,
      contentType: input.ContentType,
      metadata: { ...input.Metadata },
      parts: new Map(),
    });
    return { Bucket: input.Bucket, Key: input.Key, UploadId };
  }

  private async uploadPart(input: {
    Bucket: string;
    Key: string;
    UploadId: string;
    PartNumber: number;
    Body: unknown;
  }) {
    const upload = this.upload(input);
    checkPartNumber(input.PartNumber);
    const body = await toBuffer(input.Body);
    const etag = `"${createHash('md5').update(body).digest('hex')}"`;
    upload.parts.set(input.PartNumber, { body, etag });
    return { ETag: etag };
  }

  private uploadPartCopy(input: UploadPartCopyInput) {
    const upload = this.upload(input);
    checkPartNumber(input.PartNumber);
    const [sourceBucket, ...rest] = input.CopySource.split('/');
    const source = this.object(sourceBucket, decodeURIComponent(rest.join('/')), 'get');
    let body = source.body;
    if (input.CopySourceRange !== undefined) {
      const range = /^bytes=(\d+)-(\d+)$/.exec(input.CopySourceRange);
      const start = Number(range?.[1]);
      const end = Number(range?.[2]);
      if (!range || start > end || end >= source.body.length)
        throw error(
          'InvalidArgument',
          400,
          'The x-amz-copy-source-range value must be of the form bytes=first-last within the object',
        );
      body = source.body.subarray(start, end + 1);
    }
    if (body.length > MAX_COPY)
      throw error('InvalidRequest', 400, 'The specified copy range is larger than 5368709120');
    const etag = `"${createHash('md5').update(body).digest('hex')}"`;
    upload.parts.set(input.PartNumber, { body: Buffer.from(body), etag });
    return { CopyPartResult: { ETag: etag } };
  }

  private completeUpload(input: CompleteInput) {
    const upload = this.upload(input);
    const listed = input.MultipartUpload?.Parts ?? [];
    if (listed.length === 0) throw error('MalformedXML', 400, 'The XML you provided was not well-formed');
    const bodies: Buffer[] = [];
    listed.forEach((part, index) => {
      const stored = upload.parts.get(part.PartNumber);
      if (index > 0 && part.PartNumber <= listed[index - 1].PartNumber)
        throw error('InvalidPartOrder', 400, 'The list of parts was not in ascending order.');
      if (!stored || stored.etag !== part.ETag)
        throw error('InvalidPart', 400, 'One or more of the specified parts could not be found.');
      if (index < listed.length - 1 && stored.body.length < MIN_PART)
        throw error(
          'EntityTooSmall',
          400,
          'Your proposed upload is smaller than the minimum allowed object size.',
        );
      bodies.push(stored.body);
    });
    this.precondition(upload.bucket, upload.key, input.IfNoneMatch);
    this.uploads.delete(input.UploadId);
    const etag = this.store(
      upload.bucket,
      upload.key,
      Buffer.concat(bodies),
      upload.contentType,
      upload.metadata,
    );
    return { Bucket: upload.bucket, Key: upload.key, ETag: etag };
  }

  private abortUpload(input: { Bucket: string; Key: string; UploadId: string }) {
    this.upload(input);
    this.uploads.delete(input.UploadId);
    return {};
  }

  private precondition(bucket: string, key: string, ifNoneMatch: string | undefined): void {
    if (ifNoneMatch === undefined) return;
    if (ifNoneMatch !== '*') throw error('NotImplemented', 501, 'If-None-Match only accepts "*"');
    if (this.objects.has(`${bucket}/${key}`))
      throw error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold');
  }

  private store(
    bucket: string,
    key: string,
    body: Buffer,
    contentType?: string,
    metadata?: Record<string, string>,
  ): string {
    const etag = `"${createHash('md5').update(body).digest('hex')}"`;
    // S3 lower-cases user metadata keys (they travel as x-amz-meta-* headers).
    const meta = Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    this.objects.set(`${bucket}/${key}`, { body, contentType, metadata: meta, etag });
    return etag;
  }

  private object(bucketName: string, key: string, verb: 'get' | 'head'): StoredObject {
    const found = this.objects.get(`${this.bucket(bucketName)}/${key}`);
    if (found) return found;
    const $metadata = { httpStatusCode: 404 };
    if (verb === 'head') throw new NotFound({ message: 'Not Found', $metadata });
    throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata });
  }

  private upload(input: { Bucket: string; Key: string; UploadId: string }): Upload {
    const upload = this.uploads.get(input.UploadId);
    if (!upload || upload.bucket !== input.Bucket || upload.key !== input.Key)
      throw error('NoSuchUpload', 404, 'The specified upload does not exist.');
    return upload;
  }

  private bucket(name: string): string {
    if (!this.buckets.includes(name)) throw error('NoSuchBucket', 404, 'The specified bucket does not exist');
    return name;
  }
}

interface PutObjectInput {
  Bucket: string;
  Key: string;
  Body: unknown;
  ContentType?: string;
  Metadata?: Record<string, string>;
  IfNoneMatch?: string;
  ChecksumSHA256?: string;
}

interface CopyInput {
  Bucket: string;
  Key: string;
  CopySource: string;
  IfNoneMatch?: string;
  MetadataDirective?: string;
  ContentType?: string;
  Metadata?: Record<string, string>;
}

interface CompleteInput {
  Bucket: string;
  Key: string;
  UploadId: string;
  IfNoneMatch?: string;
  MultipartUpload?: { Parts?: Array<{ PartNumber: number; ETag: string }> };
}

interface UploadPartCopyInput {
  Bucket: string;
  Key: string;
  UploadId: string;
  PartNumber: number;
  CopySource: string;
  CopySourceRange?: string;
}

function checkPartNumber(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 10_000)
    throw error('InvalidArgument', 400, 'Part number must be an integer between 1 and 10000, inclusive');
}

function error(name: string, status: number, message: string): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message,
  });
}

async function toBuffer(body: unknown): Promise<Buffer> {
  if (body === undefined) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof Readable) {
    const parts: Buffer[] = [];
    for await (const chunk of body) parts.push(Buffer.from(chunk));
    return Buffer.concat(parts);
  }
  throw new TypeError(`fake S3 cannot read a body of type ${typeof body}`);
}

/** What the SDK hands back in Node: a Readable with the transformTo* helpers mixed in. */
function sdkStream(bytes: Buffer): Readable {
  const copy = Buffer.from(bytes);
  const stream = Readable.from([copy]) as Readable & Record<string, unknown>;
  stream.transformToByteArray = async () => new Uint8Array(copy);
  stream.transformToString = async (encoding: BufferEncoding = 'utf8') => copy.toString(encoding);
  return stream;
}
