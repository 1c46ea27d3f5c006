// biome-ignore-all lint/suspicious/noExplicitAny: ECR request JSON
/**
 * ECR's layer upload API, emulated: moto 5.2 implements PutImage but answers NotImplemented for
 * BatchCheckLayerAvailability, InitiateLayerUpload, UploadLayerPart and CompleteLayerUpload, which a
 * `docker push` to ECR is authorized as. The proxy serves those four here (after the IAM check, as
 * for any call) and forwards everything else to moto.
 *
 * Models: blobs per repository (a layer or config blob), uploads in contiguous parts, the digest
 * check at CompleteLayerUpload (InvalidLayerException on a mismatch, LayerAlreadyExistsException),
 * RepositoryNotFoundException for a repository moto does not have; and, vetting PutImage before it
 * reaches moto, what AWS checks there and moto does not: every blob the manifest references was
 * uploaded (LayersNotFoundException), and an `imageDigest` given is the sha256 of the manifest bytes
 * (ImageDigestDoesNotMatchException).
 *
 * Does not model: GetDownloadUrlForLayer (nothing pulls here), layer size limits, upload expiry,
 * cross-repository mounts, or registry replication.
 */
import { createHash, randomUUID } from 'node:crypto';
import { AwsApiError, type AwsJsonService } from '../../../runtime/api/aws-service.js';
import { ACCOUNT } from './template-model.js';

interface Upload {
  readonly repositoryName: string;
  readonly parts: Buffer[];
  received: number;
}

export class EcrLayerStore implements AwsJsonService {
  readonly targetPrefix = 'AmazonEC2ContainerRegistry_V20150921';
  /** The operations served here; the proxy forwards every other ECR call to moto. */
  readonly operations: ReadonlySet<string> = new Set([
    'BatchCheckLayerAvailability',
    'InitiateLayerUpload',
    'UploadLayerPart',
    'CompleteLayerUpload',
  ]);
  private readonly blobs = new Map<string, Map<string, Buffer>>();
  private readonly uploads = new Map<string, Upload>();

  /** @param repositoryExists asks moto, which holds the repositories. */
  constructor(private readonly repositoryExists: (name: string) => Promise<boolean>) {}

  async dispatch(operation: string, request: unknown): Promise<unknown> {
    const body = request as Record<string, any>;
    const repositoryName = String(body.repositoryName ?? '');
    if (!(await this.repositoryExists(repositoryName)))
      throw new AwsApiError(
        'RepositoryNotFoundException',
        `The repository with name '${repositoryName}' does not exist in the registry with id '${ACCOUNT}'`,
      );
    const ids = { registryId: ACCOUNT, repositoryName };
    switch (operation) {
      case 'BatchCheckLayerAvailability': {
        const held = this.blobs.get(repositoryName);
        const digests = (body.layerDigests ?? []) as string[];
        return {
          layers: digests
            .filter((d) => held?.has(d))
            .map((d) => ({
              layerDigest: d,
              layerAvailability: 'AVAILABLE',
              layerSize: held!.get(d)!.length,
            })),
          failures: digests
            .filter((d) => !held?.has(d))
            .map((d) => ({
              layerDigest: d,
              failureCode: 'MissingLayerDigest',
              failureReason: 'Layer not found',
            })),
        };
      }
      case 'InitiateLayerUpload': {
        const uploadId = randomUUID();
        this.uploads.set(uploadId, { repositoryName, parts: [], received: 0 });
        return { uploadId, partSize: 10 * 1024 * 1024 };
      }
      case 'UploadLayerPart': {
        const upload = this.uploadOf(body.uploadId, repositoryName);
        const part = Buffer.from(String(body.layerPartBlob ?? ''), 'base64');
        if (body.partFirstByte !== upload.received || body.partLastByte !== upload.received + part.length - 1)
          throw new AwsApiError(
            'InvalidLayerPartException',
            `part ${body.partFirstByte}-${body.partLastByte} does not continue the upload at byte ${upload.received}`,
          );
        upload.parts.push(part);
        upload.received += part.length;
        return { ...ids, uploadId: body.uploadId, lastByteReceived: upload.received - 1 };
      }
      case 'CompleteLayerUpload': {
        const upload = this.uploadOf(body.uploadId, repositoryName);
        const [claimed] = (body.layerDigests ?? []) as string[];
        if (upload.received === 0) throw new AwsApiError('EmptyUploadException', 'The upload has no parts');
        const bytes = Buffer.concat(upload.parts);
        const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
        this.uploads.delete(String(body.uploadId));
        if (claimed !== actual)
          throw new AwsApiError('InvalidLayerException', `layer digest ${claimed} does not match ${actual}`);
        const held = this.blobs.get(repositoryName) ?? new Map<string, Buffer>();
        this.blobs.set(repositoryName, held);
        if (held.has(actual))
          throw new AwsApiError('LayerAlreadyExistsException', `layer ${actual} already exists`);
        held.set(actual, bytes);
        return { ...ids, uploadId: body.uploadId, layerDigest: actual };
      }
      default:
        throw new AwsApiError('UnknownOperationException', `${operation} is served by moto`);
    }
  }

  /** What AWS refuses at PutImage and moto accepts; undefined when the call may go on to moto. */
  vetPutImage(request: Record<string, any>): AwsApiError | undefined {
    const manifestText = String(request.imageManifest ?? '');
    const digest = `sha256:${createHash('sha256').update(manifestText).digest('hex')}`;
    if (request.imageDigest && request.imageDigest !== digest)
      return new AwsApiError(
        'ImageDigestDoesNotMatchException',
        `The supplied digest ${request.imageDigest} does not match the manifest's ${digest}`,
      );
    let manifest: any;
    try {
      manifest = JSON.parse(manifestText);
    } catch {
      return undefined; // moto answers invalid JSON itself
    }
    const held = this.blobs.get(String(request.repositoryName));
    const missing = [manifest.config, ...(manifest.layers ?? [])]
      .filter((d) => d?.digest && !held?.has(d.digest))
      .map((d) => d.digest);
    return missing.length
      ? new AwsApiError(
          'LayersNotFoundException',
          `The following layers were not found: ${missing.join(', ')}`,
        )
      : undefined;
  }

  private uploadOf(uploadId: unknown, repositoryName: string): Upload {
    const upload = this.uploads.get(String(uploadId));
    if (!upload || upload.repositoryName !== repositoryName)
      throw new AwsApiError('UploadNotFoundException', `upload ${String(uploadId)} was not found`);
    return upload;
  }
}
