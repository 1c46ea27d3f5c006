import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { InvalidInputError, NotFoundError } from '../../errors.js';
import { MEDIA_TYPES } from '../image-reference.js';
import { DirArtifactStore } from './dir-artifact-store.js';
import { isCode } from './durable-file.js';
import { OciLayout } from './oci-layout.js';

export interface WriteImageOptions {
  /** Path of the release tarball (gzip'd or plain tar); it becomes the image's single layer. */
  readonly layer: string;
  /** Image creation time (from the Clock port), so the same inputs give the same digest. */
  readonly created: Date;
  /** @default 'amd64' */
  readonly architecture?: 'amd64' | 'arm64';
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
  readonly workingDir?: string;
  readonly env?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
}

export interface WrittenImage {
  readonly digest: string;
  readonly size: number;
  readonly mediaType: string;
}

/**
 * Puts a minimal valid single-layer image into an OCI image layout: layer blob, config blob
 * (rootfs.diff_ids holds the digest of the *uncompressed* layer, per the image spec) and manifest.
 * The manifest is added to index.json untagged, so it is reachable (not garbage) until tagged.
 */
export async function writeImage(rootDir: string, options: WriteImageOptions): Promise<WrittenImage> {
  if (!(options?.created instanceof Date) || Number.isNaN(options.created.getTime()))
    throw new InvalidInputError('writeImage needs "created" as a valid Date');
  const architecture = options.architecture ?? 'amd64';
  if (architecture !== 'amd64' && architecture !== 'arm64')
    throw new InvalidInputError(
      `writeImage architecture "${String(architecture)}" must be "amd64" or "arm64"`,
    );
  const layerPath = resolve(options.layer);
  const gzipped = await isGzip(layerPath);
  const layout = new OciLayout(resolve(rootDir));
  const blobs = new DirArtifactStore(layout.root);

  const diffId = gzipped ? await gunzippedDigest(layerPath) : undefined;
  const layer = await blobs.ingest(createReadStream(layerPath, { highWaterMark: 1024 * 1024 }));
  const created = options.created.toISOString();
  const imageConfig = {
    created,
    architecture,
    os: 'linux',
    config: {
      ...(options.entrypoint ? { Entrypoint: [...options.entrypoint] } : {}),
      ...(options.cmd ? { Cmd: [...options.cmd] } : {}),
      ...(options.workingDir ? { WorkingDir: options.workingDir } : {}),
      ...(options.env ? { Env: [...options.env] } : {}),
      ...(options.labels ? { Labels: { ...options.labels } } : {}),
    },
    rootfs: { type: 'layers', diff_ids: [diffId ?? layer.digest] },
    history: [{ created, created_by: 'tollgate: release tarball' }],
  };
  const config = await blobs.ingest(Readable.from([Buffer.from(JSON.stringify(imageConfig))]));
  const manifestBytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      config: { mediaType: MEDIA_TYPES.ociConfig, digest: config.digest, size: config.size },
      layers: [
        {
          mediaType: gzipped ? MEDIA_TYPES.ociLayerGzip : MEDIA_TYPES.ociLayer,
          digest: layer.digest,
          size: layer.size,
        },
      ],
    }),
  );
  const manifest = await blobs.ingest(Readable.from([manifestBytes]));
  const image = { digest: manifest.digest, size: manifest.size, mediaType: MEDIA_TYPES.ociManifest };
  await layout.updateIndex((index) =>
    index.manifests.some((d) => d.digest === image.digest)
      ? { result: undefined }
      : { index: { ...index, manifests: [...index.manifests, image] }, result: undefined },
  );
  return image;
}

async function isGzip(path: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (isCode(error, 'ENOENT')) throw new NotFoundError(`release tarball ${path} does not exist`);
    throw error;
  }
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

async function gunzippedDigest(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    await pipeline(createReadStream(path), createGunzip(), async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) hash.update(chunk);
    });
  } catch (error) {
    throw new InvalidInputError(`release tarball ${path} is not valid gzip: ${(error as Error).message}`);
  }
  return `sha256:${hash.digest('hex')}`;
}
