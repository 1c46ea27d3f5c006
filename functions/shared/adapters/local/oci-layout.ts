import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInputError } from '../../errors.js';
import { MEDIA_TYPES } from '../image-reference.js';
import { isCode, publishNoReplace, publishReplace, writeTempFile } from './durable-file.js';

/** OCI image-layout spec: the annotation that names a manifest in index.json. */
export const REF_NAME = 'org.opencontainers.image.ref.name';

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Record<string, string>;
}

export interface ImageIndex {
  readonly schemaVersion: 2;
  readonly mediaType: string;
  readonly manifests: Descriptor[];
}

/**
 * The files of an OCI image layout directory. index.json is read-modify-written, so every update
 * runs under a per-directory queue (the local runtime is one process) and lands with temp + rename,
 * so a reader sees the old index or the new one, never a torn one.
 */
export class OciLayout {
  private static readonly queues = new Map<string, Promise<unknown>>();

  constructor(readonly root: string) {}

  get tmpDir(): string {
    return join(this.root, '.tmp');
  }

  blobPath(digest: string): string {
    return join(this.root, 'blobs', 'sha256', digest.slice('sha256:'.length));
  }

  async readIndex(): Promise<ImageIndex> {
    let text: string;
    try {
      text = await readFile(join(this.root, 'index.json'), 'utf8');
    } catch (error) {
      if (isCode(error, 'ENOENT'))
        return { schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: [] };
      throw error;
    }
    const index = JSON.parse(text) as ImageIndex;
    if (index?.schemaVersion !== 2 || !Array.isArray(index.manifests))
      throw new InvalidInputError(
        `${join(this.root, 'index.json')} is not an OCI image index (schemaVersion 2)`,
      );
    return index;
  }

  /** Applies `change` to index.json; returning undefined means "nothing to write". */
  async updateIndex<R>(change: (index: ImageIndex) => { index?: ImageIndex; result: R }): Promise<R> {
    const previous = OciLayout.queues.get(this.root) ?? Promise.resolve();
    const run = previous
      .catch(() => undefined)
      .then(async () => {
        await this.ensureLayoutFile();
        const { index, result } = change(await this.readIndex());
        if (index) {
          const tmp = await writeTempFile(this.tmpDir, `${JSON.stringify(index, null, 2)}\n`);
          await publishReplace(tmp, join(this.root, 'index.json'));
        }
        return result;
      });
    OciLayout.queues.set(this.root, run);
    try {
      return await run;
    } finally {
      if (OciLayout.queues.get(this.root) === run) OciLayout.queues.delete(this.root);
    }
  }

  private async ensureLayoutFile(): Promise<void> {
    const path = join(this.root, 'oci-layout');
    const tmp = await writeTempFile(this.tmpDir, '{"imageLayoutVersion":"1.0.0"}');
    if (await publishNoReplace(tmp, path)) return;
    const layout = JSON.parse(await readFile(path, 'utf8')) as { imageLayoutVersion?: string };
    if (layout.imageLayoutVersion !== '1.0.0')
      throw new InvalidInputError(
        `${path} has imageLayoutVersion "${layout.imageLayoutVersion}"; only 1.0.0 is supported`,
      );
  }
}
