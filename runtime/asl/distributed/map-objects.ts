/**
 * The objects a distributed Map reads items from (ItemReader) and writes results to
 * (ResultWriter): S3 on AWS; locally the artifact store (see runtime/engine/artifact-map-objects.ts).
 */
export interface MapObjectStore {
  /** The object's text; throws MapObjectNotFoundError when absent. */
  getObject(bucket: string, key: string): Promise<string>;
  /** Objects under `prefix`, in key order, as listObjectsV2 describes them. */
  listObjects(bucket: string, prefix: string): Promise<MapObjectSummary[]>;
  putObject(bucket: string, key: string, body: string): Promise<void>;
}

export interface MapObjectSummary {
  readonly Etag: string;
  readonly Key: string;
  readonly Size: number;
  readonly StorageClass: string;
}

export class MapObjectNotFoundError extends Error {
  constructor(
    readonly bucket: string,
    readonly key: string,
  ) {
    super(`The specified key does not exist: s3://${bucket}/${key}`);
    this.name = 'MapObjectNotFoundError';
  }
}
