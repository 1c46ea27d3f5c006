import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { InvalidInputError } from '../../errors.js';
import { assertBytesSource, toBytes } from '../artifact-input.js';

export interface StreamToS3Options {
  readonly bucket: string;
  readonly stagingKey: string;
  readonly partSize: number;
  readonly source: unknown;
  /** Parts uploading at once; memory stays at about (queue + 1) × partSize. @default 2 */
  readonly queueSize?: number;
}

export interface StagedUpload {
  readonly digest: string;
  readonly size: number;
  /** Set when the whole stream fit in one part: nothing was uploaded yet. */
  readonly body?: Buffer;
  /** Set when the stream went to S3 as a multipart upload at this key. */
  readonly stagingKey?: string;
}

const MAX_PARTS = 10_000; // S3's limit per multipart upload

/**
 * Hashes a stream while uploading it as a multipart upload, holding only a few parts in memory.
 * The content address is unknown until the last byte, so the bytes go to a staging key first. A
 * stream shorter than one part never starts an upload and comes back as `body`.
 */
export async function streamToS3(client: S3Client, options: StreamToS3Options): Promise<StagedUpload> {
  assertBytesSource(options.source);
  const { bucket, stagingKey: key, partSize } = options;
  const queueSize = options.queueSize ?? 2;
  const hash = createHash('sha256');
  let size = 0;
  let buffered: Uint8Array[] = [];
  let bufferedBytes = 0;
  let uploadId: string | undefined;
  const parts: Array<{ PartNumber: number; ETag: string }> = [];
  const inFlight: Array<Promise<void>> = [];

  const sendPart = async (body: Buffer) => {
    uploadId ??= (await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }))).UploadId;
    if (!uploadId) throw new Error(`S3 returned no UploadId for ${key}`);
    const PartNumber = parts.length + inFlight.length + 1;
    if (PartNumber > MAX_PARTS)
      throw new InvalidInputError(
        `artifact is larger than ${MAX_PARTS} parts of ${partSize} bytes; raise partSize`,
      );
    const id = uploadId;
    inFlight.push(
      client
        .send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: id, PartNumber, Body: body }))
        .then((out) => {
          if (!out.ETag) throw new Error(`S3 returned no ETag for part ${PartNumber} of ${key}`);
          parts.push({ PartNumber, ETag: out.ETag });
        }),
    );
    // Attach a handler now so a part that fails while we wait on another is not an unhandled rejection.
    inFlight.at(-1)?.catch(() => undefined);
    if (inFlight.length >= queueSize) await inFlight.shift();
  };

  const takePart = (): Buffer => {
    const all = Buffer.concat(buffered, bufferedBytes);
    const part = all.subarray(0, partSize);
    const rest = all.subarray(partSize);
    buffered = rest.length > 0 ? [rest] : [];
    bufferedBytes = rest.length;
    return part;
  };

  try {
    for await (const chunk of options.source) {
      const bytes = toBytes(chunk);
      hash.update(bytes);
      size += bytes.byteLength;
      buffered.push(bytes);
      bufferedBytes += bytes.byteLength;
      while (bufferedBytes >= partSize) await sendPart(takePart());
    }
    const digest = `sha256:${hash.digest('hex')}`;
    if (uploadId === undefined && inFlight.length === 0)
      return { digest, size, body: Buffer.concat(buffered, bufferedBytes) };
    if (bufferedBytes > 0) await sendPart(takePart());
    while (inFlight.length > 0) await inFlight.shift();
    parts.sort((a, b) => a.PartNumber - b.PartNumber);
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    return { digest, size, stagingKey: key };
  } catch (error) {
    await Promise.allSettled(inFlight);
    if (uploadId)
      await client
        .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))
        .catch(() => undefined);
    throw error;
  }
}
