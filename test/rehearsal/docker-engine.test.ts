import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OciLayout } from '../../functions/shared/adapters/local/oci-layout.js';
import { buildImage } from '../support/rehearsal/docker-build.js';
import { EcrLayerStore } from '../support/rehearsal/ecr-layer-store.js';

const EXAMPLE = join(import.meta.dirname, '../../examples/orders-service');

/** A copy of the example app: the context its Dockerfile is built in. */
function exampleContext(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-docker-context-'));
  cpSync(EXAMPLE, dir, { recursive: true, filter: (src) => !/\/(node_modules|\.tollgate)(\/|$)/.test(src) });
  return dir;
}

const sha = (bytes: Buffer | string) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe('the rehearsal docker build', () => {
  it('returns the same digest for the same context, with the release unpacked under WORKDIR', async () => {
    // Arrange: the example's own Dockerfile, and a release tarball where its build puts one
    const context = exampleContext();
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: context });
    const layouts = [mkdtempSync(join(tmpdir(), 'oci-a-')), mkdtempSync(join(tmpdir(), 'oci-b-'))];
    // Act
    const [a, b] = [
      await buildImage(context, 'Dockerfile', layouts[0]),
      await buildImage(context, 'Dockerfile', layouts[1]),
    ];
    // Assert
    expect(a.digest).toBe(b.digest);
    const layout = new OciLayout(layouts[0]);
    const manifest = JSON.parse(readFileSync(layout.blobPath(a.digest), 'utf8'));
    const config = JSON.parse(readFileSync(layout.blobPath(manifest.config.digest), 'utf8'));
    expect(config.config).toMatchObject({ WorkingDir: '/app', Cmd: ['node', 'src/server.mjs'] });
    expect(config.config.Labels['org.opencontainers.image.base.name']).toMatch(/node:22/);
    const layer = readFileSync(layout.blobPath(manifest.layers[0].digest));
    const listing = execFileSync('tar', ['-tzf', '-'], { input: layer, encoding: 'utf8' });
    expect(listing.split('\n')).toContain('app/src/server.mjs');
  });

  it('refuses RUN with one line naming the instruction, and writes no image', async () => {
    // Arrange
    const context = mkdtempSync(join(tmpdir(), 'tollgate-docker-run-'));
    writeFileSync(join(context, 'Dockerfile'), 'FROM node:22\nRUN npm ci\n');
    const layout = mkdtempSync(join(tmpdir(), 'oci-run-'));
    // Act
    const built = buildImage(context, 'Dockerfile', layout);
    // Assert
    await expect(built).rejects.toThrow(/^RUN is not modelled by the rehearsal docker/);
    expect((await new OciLayout(layout).readIndex()).manifests).toEqual([]);
  });

  it('refuses a COPY source outside the build context', async () => {
    // Arrange
    const context = mkdtempSync(join(tmpdir(), 'tollgate-docker-escape-'));
    writeFileSync(join(context, 'Dockerfile'), 'FROM node:22\nCOPY ../secret /app/\n');
    // Act
    const built = buildImage(context, 'Dockerfile', mkdtempSync(join(tmpdir(), 'oci-escape-')));
    // Assert
    await expect(built).rejects.toThrow('COPY ../secret: forbidden path outside the build context');
  });
});

describe('EcrLayerStore', () => {
  const store = () => new EcrLayerStore(async (name) => name === 'orders-service');

  it('returns LayersNotFoundException at PutImage until every referenced blob was uploaded', async () => {
    // Arrange
    const s = store();
    const blob = Buffer.from('layer bytes');
    const manifest = JSON.stringify({ config: { digest: sha('cfg') }, layers: [{ digest: sha(blob) }] });
    const put = { repositoryName: 'orders-service', imageManifest: manifest, imageDigest: sha(manifest) };
    // Act
    const before = s.vetPutImage(put);
    const { uploadId } = (await s.dispatch('InitiateLayerUpload', { repositoryName: 'orders-service' })) as {
      uploadId: string;
    };
    await s.dispatch('UploadLayerPart', {
      repositoryName: 'orders-service',
      uploadId,
      partFirstByte: 0,
      partLastByte: blob.length - 1,
      layerPartBlob: blob.toString('base64'),
    });
    await s.dispatch('CompleteLayerUpload', {
      repositoryName: 'orders-service',
      uploadId,
      layerDigests: [sha(blob)],
    });
    const after = s.vetPutImage(put);
    // Assert
    expect(before?.code).toBe('LayersNotFoundException');
    expect(after?.code).toBe('LayersNotFoundException');
    expect(after?.message).toContain(sha('cfg'));
    expect(after?.message).not.toContain(sha(blob));
  });

  it('returns InvalidLayerException when the uploaded bytes do not match the digest claimed', async () => {
    // Arrange
    const s = store();
    const { uploadId } = (await s.dispatch('InitiateLayerUpload', { repositoryName: 'orders-service' })) as {
      uploadId: string;
    };
    await s.dispatch('UploadLayerPart', {
      repositoryName: 'orders-service',
      uploadId,
      partFirstByte: 0,
      partLastByte: 2,
      layerPartBlob: Buffer.from('abc').toString('base64'),
    });
    // Act
    const completed = s.dispatch('CompleteLayerUpload', {
      repositoryName: 'orders-service',
      uploadId,
      layerDigests: [sha('xyz')],
    });
    // Assert
    await expect(completed).rejects.toMatchObject({ code: 'InvalidLayerException' });
  });

  it('returns ImageDigestDoesNotMatchException for a digest that is not the manifest bytes', () => {
    // Act
    const refused = store().vetPutImage({
      repositoryName: 'orders-service',
      imageManifest: '{}',
      imageDigest: sha('x'),
    });
    // Assert
    expect(refused?.code).toBe('ImageDigestDoesNotMatchException');
  });

  it('returns RepositoryNotFoundException for a repository the registry does not have', async () => {
    // Act
    const started = store().dispatch('InitiateLayerUpload', { repositoryName: 'other' });
    // Assert
    await expect(started).rejects.toMatchObject({ code: 'RepositoryNotFoundException' });
  });
});
