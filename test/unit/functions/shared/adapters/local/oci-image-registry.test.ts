import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  OciImageRegistry,
  writeImage,
} from '../../../../../../functions/shared/adapters/local/oci-image-registry.js';
import { imageRegistryContract } from '../../ports/image-registry.contract.js';

const sha = (bytes: Uint8Array | string) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const CREATED = new Date('2026-01-01T00:00:00.000Z');

/** A one-file POSIX tar archive, built by hand so the test does not depend on the code under test. */
function tarOf(name: string, content: string): Buffer {
  const body = Buffer.from(content);
  const header = Buffer.alloc(512);
  header.write(name, 0);
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  const sum = header.reduce((a, b) => a + b, 0);
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const pad = Buffer.alloc((512 - (body.length % 512)) % 512);
  return Buffer.concat([header, body, pad, Buffer.alloc(1024)]);
}

imageRegistryContract('OciImageRegistry', async () => {
  const root = await mkdtemp(join(tmpdir(), 'tollgate-oci-'));
  return {
    registry: new OciImageRegistry(join(root, 'oci')),
    pushImage: async (seed) => {
      const layer = join(root, `${seed}.tgz`);
      await writeFile(layer, gzipSync(tarOf('app/version.txt', seed)));
      return (await writeImage(join(root, 'oci'), { layer, created: CREATED })).digest;
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
});

describe('writeImage', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'tollgate-oci-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes a layout whose manifest, config and layer blobs match their digests when given a .tgz', async () => {
    // Arrange
    const tar = tarOf('app/server.js', 'console.log("hi")');
    const tgz = gzipSync(tar);
    await writeFile(join(root, 'release.tgz'), tgz);
    const oci = join(root, 'oci');
    // Act
    const image = await writeImage(oci, {
      layer: join(root, 'release.tgz'),
      created: CREATED,
      architecture: 'arm64',
    });
    // Assert
    const blob = (digest: string) => readFile(join(oci, 'blobs', 'sha256', digest.slice(7)));
    const manifestBytes = await blob(image.digest);
    const manifest = JSON.parse(manifestBytes.toString());
    const config = JSON.parse((await blob(manifest.config.digest)).toString());
    expect(sha(manifestBytes)).toBe(image.digest);
    expect(manifest.layers).toEqual([
      { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha(tgz), size: tgz.length },
    ]);
    expect(config.rootfs).toEqual({ type: 'layers', diff_ids: [sha(tar)] });
    expect(config).toMatchObject({ architecture: 'arm64', os: 'linux', created: CREATED.toISOString() });
    expect(JSON.parse(await readFile(join(oci, 'oci-layout'), 'utf8'))).toEqual({
      imageLayoutVersion: '1.0.0',
    });
    expect(JSON.parse(await readFile(join(oci, 'index.json'), 'utf8')).manifests).toEqual([
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: image.digest,
        size: manifestBytes.length,
      },
    ]);
    expect(await readdir(join(oci, '.tmp'))).toEqual([]);
  });

  it('uses the layer digest as diff id and the plain tar media type when the tarball is not gzip', async () => {
    // Arrange
    const tar = tarOf('app/server.js', 'x');
    await writeFile(join(root, 'release.tar'), tar);
    // Act
    const image = await writeImage(join(root, 'oci'), { layer: join(root, 'release.tar'), created: CREATED });
    // Assert
    const manifest = JSON.parse(
      await readFile(join(root, 'oci', 'blobs', 'sha256', image.digest.slice(7)), 'utf8'),
    );
    expect(manifest.layers[0]).toMatchObject({
      mediaType: 'application/vnd.oci.image.layer.v1.tar',
      digest: sha(tar),
    });
  });

  it('returns the same digest and one index entry when the same image is written twice', async () => {
    // Arrange
    await writeFile(join(root, 'release.tgz'), gzipSync(tarOf('a', 'b')));
    const options = { layer: join(root, 'release.tgz'), created: CREATED };
    // Act
    const first = await writeImage(join(root, 'oci'), options);
    const second = await writeImage(join(root, 'oci'), options);
    // Assert
    expect(second.digest).toBe(first.digest);
    expect(JSON.parse(await readFile(join(root, 'oci', 'index.json'), 'utf8')).manifests).toHaveLength(1);
  });

  it('throws NotFound and writes nothing when the tarball does not exist', async () => {
    // Act
    const attempt = writeImage(join(root, 'oci'), { layer: join(root, 'missing.tgz'), created: CREATED });
    // Assert
    await expect(attempt).rejects.toMatchObject({ name: 'Tollgate.NotFound' });
    await expect(readdir(join(root, 'oci'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('throws InvalidInput when the tarball claims gzip but is corrupt', async () => {
    // Arrange
    await writeFile(join(root, 'bad.tgz'), Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    // Act + Assert
    await expect(
      writeImage(join(root, 'oci'), { layer: join(root, 'bad.tgz'), created: CREATED }),
    ).rejects.toMatchObject({
      name: 'Tollgate.InvalidInput',
    });
  });

  it('throws InvalidInput when created is not a valid date', async () => {
    // Act + Assert
    await expect(
      writeImage(join(root, 'oci'), { layer: join(root, 'x.tgz'), created: new Date('nope') }),
    ).rejects.toThrow(/valid Date/);
  });
});

describe('OciImageRegistry', () => {
  it('throws InvalidInput when a blob that is not a manifest is tagged', async () => {
    // Arrange
    const root = await mkdtemp(join(tmpdir(), 'tollgate-oci-'));
    try {
      await writeFile(join(root, 'release.tgz'), gzipSync(tarOf('a', 'b')));
      const image = await writeImage(join(root, 'oci'), {
        layer: join(root, 'release.tgz'),
        created: CREATED,
      });
      const manifest = JSON.parse(
        await readFile(join(root, 'oci', 'blobs', 'sha256', image.digest.slice(7)), 'utf8'),
      );
      const registry = new OciImageRegistry(join(root, 'oci'));
      // Act
      const attempt = registry.tag(manifest.config.digest, 'release-r1-abcdef0');
      // Assert
      await expect(attempt).rejects.toThrow(/not an image manifest/);
      expect(await registry.resolve('release-r1-abcdef0')).toBeUndefined();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
