import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ImmutableConflictError, InvalidInputError, NotFoundError } from '../../errors.js';
import type { ImageRegistry } from '../../ports/image-registry.js';
import { assertDigest, assertTag, isMutableTag, MANIFEST_MEDIA_TYPES } from '../image-reference.js';
import { isCode } from './durable-file.js';
import { type Descriptor, OciLayout, REF_NAME } from './oci-layout.js';

export { writeImage } from './oci-image-writer.js';

/**
 * The local image registry: an OCI image layout directory (e.g. `.tollgate/oci/`). A tag is an
 * index.json descriptor annotated with `org.opencontainers.image.ref.name`, as the image-layout spec
 * describes, so tools such as skopeo or crane can read the same directory.
 */
export class OciImageRegistry implements ImageRegistry {
  private readonly layout: OciLayout;

  constructor(rootDir: string) {
    if (typeof rootDir !== 'string' || rootDir.trim() === '')
      throw new InvalidInputError('OciImageRegistry needs a root directory');
    this.layout = new OciLayout(resolve(rootDir));
  }

  async resolve(tag: string): Promise<string | undefined> {
    assertTag(tag);
    const index = await this.layout.readIndex();
    return index.manifests.find((d) => d.annotations?.[REF_NAME] === tag)?.digest;
  }

  async tag(digest: string, tag: string): Promise<{ created: boolean }> {
    assertDigest(digest);
    assertTag(tag);
    const manifest = await this.manifestDescriptor(digest);
    return this.layout.updateIndex<{ created: boolean }>((index) => {
      const current = index.manifests.find((d) => d.annotations?.[REF_NAME] === tag);
      if (current?.digest === digest) return { result: { created: false } };
      if (current && !isMutableTag(tag))
        throw new ImmutableConflictError(
          `tag ${tag} already points at ${current.digest}; release tags never move`,
        );
      const others = index.manifests.filter((d) => d !== current);
      const tagged: Descriptor = { ...manifest, annotations: { [REF_NAME]: tag } };
      return { index: { ...index, manifests: [...others, tagged] }, result: { created: true } };
    });
  }

  async tagsOf(digest: string): Promise<string[]> {
    assertDigest(digest);
    const index = await this.layout.readIndex();
    return index.manifests
      .filter((d) => d.digest === digest && d.annotations?.[REF_NAME] !== undefined)
      .map((d) => d.annotations![REF_NAME])
      .sort();
  }

  /** A tag may only name a manifest that is in the layout, with the media type its JSON declares. */
  private async manifestDescriptor(digest: string): Promise<Descriptor> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.layout.blobPath(digest));
    } catch (error) {
      if (isCode(error, 'ENOENT')) throw new NotFoundError(`image ${digest} is not in ${this.layout.root}`);
      throw error;
    }
    let mediaType: unknown;
    try {
      mediaType = (JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown }).mediaType;
    } catch {
      mediaType = undefined;
    }
    if (typeof mediaType !== 'string' || !MANIFEST_MEDIA_TYPES.includes(mediaType))
      throw new InvalidInputError(`blob ${digest} is not an image manifest or index, so it cannot be tagged`);
    return { mediaType, digest, size: bytes.length };
  }
}
