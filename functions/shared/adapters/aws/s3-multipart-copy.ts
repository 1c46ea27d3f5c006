import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  type S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { isConditionalConflict, isPreconditionFailed } from './s3-errors.js';

export interface MultipartCopyOptions {
  readonly bucket: string;
  readonly sourceKey: string;
  readonly targetKey: string;
  readonly size: number;
  readonly contentType: string;
  readonly metadata: Record<string, string>;
}

/**
 * CopyObject stops at 5 GiB; a multipart copy (UploadPartCopy ranges, each at most 5 GiB) does not.
 * The ranges are server-side copies, so no bytes pass through the Lambda. CompleteMultipartUpload
 * honours If-None-Match: '*', which keeps the target write-once.
 */
const COPY_PART = 1024 * 1024 * 1024;
const PARALLEL = 4;
const CONFLICT_RETRIES = 5;

/** Inclusive byte ranges of at most `part` bytes, numbered from 1 as S3 part numbers are. */
export function copyRanges(
  size: number,
  part = COPY_PART,
): Array<{ PartNumber: number; start: number; end: number }> {
  const ranges: Array<{ PartNumber: number; start: number; end: number }> = [];
  for (let start = 0, n = 1; start < size; start += part, n++)
    ranges.push({ PartNumber: n, start, end: Math.min(start + part, size) - 1 });
  return ranges;
}

/** Copies `sourceKey` to `targetKey` unless the target exists; true when it created the target. */
export async function copyIfAbsent(client: S3Client, options: MultipartCopyOptions): Promise<boolean> {
  const { bucket, targetKey: Key } = options;
  const created = await client.send(
    new CreateMultipartUploadCommand({
      Bucket: bucket,
      Key,
      ContentType: options.contentType,
      Metadata: options.metadata,
    }),
  );
  const UploadId = created.UploadId;
  if (!UploadId) throw new Error(`S3 returned no UploadId for ${Key}`);
  try {
    const ranges = copyRanges(options.size);
    const parts: Array<{ PartNumber: number; ETag: string }> = [];
    for (let i = 0; i < ranges.length; i += PARALLEL) {
      const batch = await Promise.all(
        ranges.slice(i, i + PARALLEL).map(async ({ PartNumber, start, end }) => {
          const out = await client.send(
            new UploadPartCopyCommand({
              Bucket: bucket,
              Key,
              UploadId,
              PartNumber,
              CopySource: `${bucket}/${encodeURIComponent(options.sourceKey)}`,
              CopySourceRange: `bytes=${start}-${end}`,
            }),
          );
          const ETag = out.CopyPartResult?.ETag;
          if (!ETag) throw new Error(`S3 returned no ETag for copied part ${PartNumber} of ${Key}`);
          return { PartNumber, ETag };
        }),
      );
      parts.push(...batch);
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await client.send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key,
            UploadId,
            MultipartUpload: { Parts: parts },
            IfNoneMatch: '*',
          }),
        );
        return true;
      } catch (error) {
        if (isConditionalConflict(error) && attempt < CONFLICT_RETRIES) continue;
        throw error;
      }
    }
  } catch (error) {
    // A 412 leaves the upload open; either way nothing half-copied may linger and cost storage.
    await client
      .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId }))
      .catch(() => undefined);
    if (isPreconditionFailed(error)) return false;
    throw error;
  }
}
