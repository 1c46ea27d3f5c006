import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { AwsStub } from 'aws-sdk-client-mock';

interface LockedObject {
  readonly body: Buffer;
  readonly mode?: string;
  readonly retainUntil?: Date;
}

// biome-ignore lint/suspicious/noExplicitAny: aws-sdk-client-mock's stub is generic over every S3 input/output
type S3Stub = AwsStub<any, any, any>;

const CHECKSUM_FIELDS = [
  'ContentMD5',
  'ChecksumSHA256',
  'ChecksumSHA1',
  'ChecksumCRC32',
  'ChecksumCRC32C',
  'ChecksumCRC64NVME',
];

/**
 * A stateful S3 bucket with Object Lock enabled, behind aws-sdk-client-mock, holding what the
 * ledger adapter depends on:
 * - PutObject `If-None-Match: *` fails with 412 PreconditionFailed when the key exists;
 * - a put with Object Lock parameters and no Content-MD5 / x-amz-checksum-* is refused with 400
 *   InvalidRequest, as S3 does, and a given ChecksumSHA256 must match the body (BadDigest);
 * - ObjectLockMode must be GOVERNANCE or COMPLIANCE, with a retain-until date;
 * - a locked object cannot be deleted inside its retention without BypassGovernanceRetention;
 * - ListObjectsV2 honours Prefix, StartAfter and pages with ContinuationToken in key order.
 */
export class FakeS3Ledger {
  readonly objects = new Map<string, LockedObject>();

  constructor(
    private readonly bucket: string,
    private readonly pageSize = 1000,
    private readonly now: () => Date = () => new Date(),
  ) {}

  install(stub: S3Stub): this {
    stub.on(PutObjectCommand).callsFake(async (input) => this.put(input));
    stub.on(GetObjectCommand).callsFake(async (input) => this.get(input));
    stub.on(ListObjectsV2Command).callsFake(async (input) => this.list(input));
    stub.on(DeleteObjectCommand).callsFake(async (input) => this.delete(input));
    return this;
  }

  private put(input: Record<string, unknown>) {
    this.checkBucket(input.Bucket);
    const body = Buffer.from(String(input.Body ?? ''), 'utf8');
    const locked = input.ObjectLockMode !== undefined || input.ObjectLockRetainUntilDate !== undefined;
    if (locked && !CHECKSUM_FIELDS.some((f) => input[f] !== undefined)) {
      throw s3Error(
        'InvalidRequest',
        400,
        'Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters',
      );
    }
    if (
      input.ChecksumSHA256 !== undefined &&
      input.ChecksumSHA256 !== createHash('sha256').update(body).digest('base64')
    )
      throw s3Error('BadDigest', 400, 'The SHA256 you specified did not match the calculated checksum.');
    if (locked) {
      if (input.ObjectLockMode !== 'GOVERNANCE' && input.ObjectLockMode !== 'COMPLIANCE')
        throw s3Error('InvalidArgument', 400, 'Unknown wormMode directive.');
      if (
        !(input.ObjectLockRetainUntilDate instanceof Date) ||
        Number.isNaN(input.ObjectLockRetainUntilDate.getTime())
      )
        throw s3Error('InvalidArgument', 400, 'x-amz-object-lock-retain-until-date must be a date');
    }
    const key = String(input.Key);
    if (input.IfNoneMatch === '*' && this.objects.has(key))
      throw s3Error(
        'PreconditionFailed',
        412,
        'At least one of the pre-conditions you specified did not hold',
      );
    this.objects.set(key, {
      body,
      ...(locked
        ? { mode: input.ObjectLockMode as string, retainUntil: input.ObjectLockRetainUntilDate as Date }
        : {}),
    });
    return { ETag: `"${createHash('md5').update(body).digest('hex')}"` };
  }

  private get(input: { Bucket: string; Key: string }) {
    this.checkBucket(input.Bucket);
    const object = this.objects.get(input.Key);
    if (!object) throw s3Error('NoSuchKey', 404, 'The specified key does not exist.');
    const copy = Buffer.from(object.body);
    const stream = Readable.from([copy]) as Readable & Record<string, unknown>;
    stream.transformToString = async (encoding: BufferEncoding = 'utf8') => copy.toString(encoding);
    return { Body: stream, ContentLength: copy.length };
  }

  private list(input: { Bucket: string; Prefix?: string; StartAfter?: string; ContinuationToken?: string }) {
    this.checkBucket(input.Bucket);
    const after = input.ContinuationToken ?? input.StartAfter ?? '';
    const keys = [...this.objects.keys()]
      .filter((k) => k.startsWith(input.Prefix ?? '') && k > after)
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const page = keys.slice(0, this.pageSize);
    const more = keys.length > this.pageSize;
    return {
      Contents: page.map((Key) => ({ Key, Size: this.objects.get(Key)?.body.length })),
      KeyCount: page.length,
      IsTruncated: more,
      ...(more ? { NextContinuationToken: page[page.length - 1] } : {}),
    };
  }

  private delete(input: { Bucket: string; Key: string; BypassGovernanceRetention?: boolean }) {
    this.checkBucket(input.Bucket);
    const object = this.objects.get(input.Key);
    const retained = object?.retainUntil && object.retainUntil.getTime() > this.now().getTime();
    if (retained && !(object?.mode === 'GOVERNANCE' && input.BypassGovernanceRetention))
      throw s3Error('AccessDenied', 403, 'Access Denied because object protected by object lock.');
    this.objects.delete(input.Key);
    return {};
  }

  private checkBucket(bucket: unknown): void {
    if (bucket !== this.bucket) throw s3Error('NoSuchBucket', 404, 'The specified bucket does not exist');
  }
}

function s3Error(name: string, status: number, message: string): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message,
  });
}
