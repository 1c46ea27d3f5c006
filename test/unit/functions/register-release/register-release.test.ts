import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerRelease } from '../../../../functions/register-release/register-release.js';
import { claimSequence } from '../../../../functions/register-release/release-sequence.js';
import {
  COMMIT,
  configFor,
  inputFor,
  readAll,
  type Workspace,
  workspace,
} from './register-release-fixture.js';

const sha = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const OTHER = 'ffeeddccbbaa99887766554433221100ffeeddcc';

/** Makes one call of `method` fail, the way a crash or a timeout at that point would. */
function failOnce<T extends object>(
  target: T,
  method: keyof T & string,
  when: (...args: unknown[]) => boolean,
): T {
  let failed = false;
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver);
      if (prop !== method || typeof value !== 'function')
        return typeof value === 'function' ? value.bind(obj) : value;
      return (...args: unknown[]) => {
        if (!failed && when(...args)) {
          failed = true;
          return Promise.reject(new Error(`injected failure in ${method}`));
        }
        return value.apply(obj, args);
      };
    },
  });
}

describe('registerRelease', () => {
  let ws: Workspace;
  const deps = (withImage = false) => ({ ...ws, config: configFor(withImage) });

  beforeEach(async () => {
    ws = await workspace();
  });
  afterEach(async () => {
    await ws.cleanup();
  });

  it('returns r1 and stores the artifact, metadata and ledger entry when the pipeline has no releases yet', async () => {
    // Arrange
    const tarball = await ws.stageBuild();
    // Act
    const ref = await registerRelease(inputFor(), deps());
    // Assert
    expect(ref).toEqual({
      version: 'r1-1a2b3c4',
      sequence: 1,
      digest: sha(tarball),
      artifactKey: `blobs/sha256/${sha(tarball).slice(7)}`,
      commit: COMMIT,
    });
    expect(Buffer.compare(await readAll(await ws.artifacts.open(ref.artifactKey)), tarball)).toBe(0);
    expect(JSON.parse((await ws.artifacts.getText('releases/orders/r1-1a2b3c4.json'))!)).toEqual({
      pipeline: 'orders',
      version: 'r1-1a2b3c4',
      sequence: 1,
      commit: COMMIT,
      branch: 'main',
      repository: 'orders-service',
      author: { name: 'Ada', email: 'ada@example.com' },
      message: 'Add orders endpoint',
      commitTime: '2026-01-01T00:00:00.000Z',
      buildTime: '2026-01-02T03:04:05.000Z',
      digest: sha(tarball),
      size: tarball.length,
      artifactKey: ref.artifactKey,
      executionArn: inputFor().executionArn,
      registeredAt: '2026-01-02T03:04:05.000Z',
    });
    expect(ws.ledger.releases).toMatchObject([
      {
        kind: 'release',
        pipeline: 'orders',
        releaseVersion: 'r1-1a2b3c4',
        executionArn: inputFor().executionArn,
        idempotencyKey: `${inputFor().executionArn}#Register release`,
        data: { digest: sha(tarball), commit: COMMIT, commitTime: '2026-01-01T00:00:00.000Z' },
      },
    ]);
  });

  it('returns increasing versions when later runs register other commits', async () => {
    // Arrange
    await ws.stageBuild();
    await ws.stageBuild(OTHER);
    await ws.stageBuild('0123456789abcdef0123456789abcdef01234567');
    // Act
    const first = await registerRelease(inputFor(), deps());
    const second = await registerRelease(inputFor({ executionArn: 'arn:run-2', commitId: OTHER }), deps());
    const third = await registerRelease(
      inputFor({ executionArn: 'arn:run-3', commitId: '0123456789abcdef0123456789abcdef01234567' }),
      deps(),
    );
    // Assert
    expect([first.version, second.version, third.version]).toEqual([
      'r1-1a2b3c4',
      'r2-ffeeddc',
      'r3-0123456',
    ]);
  });

  it('reuses the commit release when the same commit is pushed again, storing no second build or record', async () => {
    // Arrange
    const tarball = await ws.stageBuild();
    const first = await registerRelease(inputFor(), deps());
    await ws.stageBuild(COMMIT, 'a rebuild with other bytes');
    ws.clock.advance(60_000);
    // Act
    const again = await registerRelease(inputFor({ executionArn: 'arn:run-2' }), deps());
    const retried = await registerRelease(inputFor({ executionArn: 'arn:run-2' }), deps());
    // Assert
    expect(again).toEqual({
      ...first,
      reused: { fromExecutionArn: inputFor().executionArn, registeredAt: '2026-01-02T03:04:05.000Z' },
    });
    expect(retried).toEqual(again);
    expect(again.digest).toBe(sha(tarball));
    expect((await ws.artifacts.list('releases/orders/r')).length).toBe(1);
    expect(await ws.artifacts.list('blobs/')).toEqual([first.artifactKey]);
    expect(await ws.artifacts.list('releases/orders/seq/')).toHaveLength(1);
    expect(ws.ledger.entries.filter((e) => e.kind === 'release')).toHaveLength(1);
  });

  it('hands out distinct versions when two runs register at the same time', async () => {
    // Arrange
    await ws.stageBuild();
    // Act
    const refs = await Promise.all(
      ['arn:run-a', 'arn:run-b', 'arn:run-c'].map((executionArn) =>
        registerRelease(inputFor({ executionArn }), deps()),
      ),
    );
    // Assert
    expect(refs.map((r) => r.sequence).sort()).toEqual([1, 2, 3]);
  });

  it('returns the same release and adds nothing when the same run is invoked again', async () => {
    // Arrange
    await ws.stageBuild();
    const first = await registerRelease(inputFor(), deps());
    const keysBefore = await ws.artifacts.list('');
    ws.clock.advance(60_000);
    // Act
    const again = await registerRelease(inputFor(), deps());
    // Assert
    expect(again).toEqual(first);
    expect(await ws.artifacts.list('')).toEqual(keysBefore);
    expect(ws.ledger.releases).toHaveLength(1);
  });

  it('returns one release when twin invocations of the same run race', async () => {
    // Arrange
    await ws.stageBuild();
    // Act
    const [a, b] = await Promise.all([
      registerRelease(inputFor(), deps()),
      registerRelease(inputFor(), deps()),
    ]);
    // Assert
    expect(a).toEqual(b);
    expect(await ws.artifacts.list('releases/orders/seq/')).toHaveLength(1);
    expect(ws.ledger.releases).toHaveLength(1);
  });

  it('reuses its own number when it crashed after claiming a sequence', async () => {
    // Arrange
    await ws.stageBuild();
    const input = inputFor();
    await claimSequence(ws.artifacts, 'orders', {
      executionArn: input.executionArn,
      stateName: input.stateName,
      commit: COMMIT,
    });
    // Act
    const ref = await registerRelease(input, deps());
    // Assert
    expect(ref.version).toBe('r1-1a2b3c4');
  });

  it.each([
    ['writing the release record', 'putImmutable', (key: unknown) => String(key).endsWith('r1-1a2b3c4.json')],
    ['writing the run record', 'putImmutable', (key: unknown) => String(key).includes('/by-run/')],
  ] as const)('finishes the same release on retry when it failed %s', async (_what, method, when) => {
    // Arrange
    await ws.stageBuild();
    const flaky = failOnce(ws.artifacts, method, when);
    await expect(registerRelease(inputFor(), { ...deps(), artifacts: flaky })).rejects.toThrow(
      /injected failure/,
    );
    // Act
    const ref = await registerRelease(inputFor(), { ...deps(), artifacts: flaky });
    // Assert
    expect(ref.version).toBe('r1-1a2b3c4');
    expect(await ws.artifacts.exists('releases/orders/r1-1a2b3c4.json')).toBe(true);
    expect(ws.ledger.releases).toHaveLength(1);
  });

  it('appends exactly one ledger entry on retry when the ledger failed the first time', async () => {
    // Arrange
    await ws.stageBuild();
    const ledger = failOnce(ws.ledger, 'append', () => true);
    await expect(registerRelease(inputFor(), { ...deps(), ledger })).rejects.toThrow(/injected failure/);
    // Act
    await registerRelease(inputFor(), { ...deps(), ledger });
    await registerRelease(inputFor(), { ...deps(), ledger });
    // Assert
    expect(ws.ledger.releases).toHaveLength(1);
  });

  describe('with an image', () => {
    it('tags the image release-<version> once when invoked twice', async () => {
      // Arrange
      await ws.stageBuild();
      const imageDigest = await ws.buildImage('image-a');
      const input = inputFor({ build: { artifactKey: `builds/${COMMIT}/release.tgz`, imageDigest } });
      // Act
      const ref = await registerRelease(input, deps(true));
      await registerRelease(input, deps(true));
      // Assert
      expect(ref.imageDigest).toBe(imageDigest);
      expect(await ws.images.resolve('release-r1-1a2b3c4')).toBe(imageDigest);
      expect(await ws.images.tagsOf(imageDigest)).toEqual(['release-r1-1a2b3c4']);
    });

    it('tags on retry when the registry failed the first time', async () => {
      // Arrange
      await ws.stageBuild();
      const imageDigest = await ws.buildImage('image-a');
      const input = inputFor({ build: { artifactKey: `builds/${COMMIT}/release.tgz`, imageDigest } });
      const images = failOnce(ws.images, 'tag', () => true);
      await expect(registerRelease(input, { ...deps(true), images })).rejects.toThrow(/injected failure/);
      // Act
      await registerRelease(input, { ...deps(true), images });
      // Assert
      expect(await ws.images.resolve('release-r1-1a2b3c4')).toBe(imageDigest);
      expect(ws.ledger.releases).toHaveLength(1);
    });

    it('throws NotFound when the image digest is not in the registry', async () => {
      // Arrange
      await ws.stageBuild();
      const input = inputFor({
        build: { artifactKey: `builds/${COMMIT}/release.tgz`, imageDigest: `sha256:${'a'.repeat(64)}` },
      });
      // Act + Assert
      await expect(registerRelease(input, deps(true))).rejects.toMatchObject({ name: 'Tollgate.NotFound' });
      expect(ws.ledger.releases).toHaveLength(0);
    });
  });

  describe('bad input', () => {
    it('throws InvalidInput and writes nothing when the pipeline is not the configured one', async () => {
      // Arrange
      await ws.stageBuild();
      // Act
      const attempt = registerRelease(inputFor({ pipeline: 'payments' }), deps());
      // Assert
      await expect(attempt).rejects.toThrow(
        'pipeline "payments" does not match the configured name "orders"',
      );
      expect(await ws.artifacts.list('releases/')).toEqual([]);
    });

    it('throws NotFound and claims no version when the build left no artifact', async () => {
      // Act
      const attempt = registerRelease(inputFor(), deps());
      // Assert
      await expect(attempt).rejects.toMatchObject({ name: 'Tollgate.NotFound' });
      expect(await ws.artifacts.list('')).toEqual([]);
    });

    it('throws InvalidInput and claims no version when the artifact key escapes the store', async () => {
      // Act
      const attempt = registerRelease(inputFor({ build: { artifactKey: '../../etc/passwd' } }), deps());
      // Assert
      await expect(attempt).rejects.toMatchObject({ name: 'Tollgate.InvalidInput' });
      expect(await ws.artifacts.list('')).toEqual([]);
    });

    it('throws InvalidInput when build.image is configured but the build reported no image', async () => {
      // Arrange
      await ws.stageBuild();
      // Act + Assert
      await expect(registerRelease(inputFor(), deps(true))).rejects.toThrow(/build\.image is configured/);
      expect(await ws.artifacts.list('releases/')).toEqual([]);
    });

    it('throws InvalidInput when the build reported an image but build.image is not configured', async () => {
      // Arrange
      await ws.stageBuild();
      const imageDigest = await ws.buildImage('image-a');
      const input = inputFor({ build: { artifactKey: `builds/${COMMIT}/release.tgz`, imageDigest } });
      // Act + Assert
      await expect(registerRelease(input, deps(false))).rejects.toThrow(/build\.image is not configured/);
      expect(await ws.artifacts.list('releases/')).toEqual([]);
    });

    it('throws InvalidInput and changes nothing when a retry of a run sends a different commit', async () => {
      // Arrange
      await ws.stageBuild();
      await ws.stageBuild(OTHER);
      await registerRelease(inputFor(), deps());
      const keysBefore = await ws.artifacts.list('');
      // Act
      const attempt = registerRelease(inputFor({ commitId: OTHER }), deps());
      // Assert
      await expect(attempt).rejects.toThrow(/already registered r1-1a2b3c4 from different input/);
      expect(await ws.artifacts.list('')).toEqual(keysBefore);
      expect(ws.ledger.releases).toHaveLength(1);
    });
  });
});
