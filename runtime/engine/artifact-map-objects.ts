import { createHash } from 'node:crypto';
import type { ArtifactStore } from '../../functions/shared/ports/artifact-store.js';
import {
  MapObjectNotFoundError,
  type MapObjectStore,
  type MapObjectSummary,
} from '../asl/distributed/map-objects.js';

/**
 * A distributed Map's S3 objects kept in the local artifact store: `s3://<bucket>/<key>` is the
 * store's key `<bucket>/<key>` (a directory per bucket under the store's root). Results are
 * written once (putImmutable): each Map Run writes under its own id, so no key is written twice.
 */
export class ArtifactStoreMapObjects implements MapObjectStore {
  constructor(private readonly store: ArtifactStore) {}

  async getObject(bucket: string, key: string): Promise<string> {
    const text = await this.store.getText(`${bucket}/${key}`);
    if (text === undefined) throw new MapObjectNotFoundError(bucket, key);
    return text;
  }

  async listObjects(bucket: string, prefix: string): Promise<MapObjectSummary[]> {
    const keys = await this.store.list(`${bucket}/${prefix}`);
    const out: MapObjectSummary[] = [];
    for (const storeKey of keys) {
      const chunks: Buffer[] = [];
      for await (const chunk of await this.store.open(storeKey)) chunks.push(Buffer.from(chunk));
      const bytes = Buffer.concat(chunks);
      // S3's ETag of a single-part upload: the quoted MD5 of the bytes.
      const etag = `"${createHash('md5').update(bytes).digest('hex')}"`;
      out.push({
        Etag: etag,
        Key: storeKey.slice(bucket.length + 1),
        Size: bytes.length,
        StorageClass: 'STANDARD',
      });
    }
    return out;
  }

  async putObject(bucket: string, key: string, body: string): Promise<void> {
    await this.store.putImmutable(`${bucket}/${key}`, body, 'application/json');
  }
}
