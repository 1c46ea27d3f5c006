import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../../../functions/promote/handler.js';
import { promote } from '../../../../functions/promote/promote.js';
import { DirArtifactStore } from '../../../../functions/shared/adapters/local/dir-artifact-store.js';
import { DirLedger } from '../../../../functions/shared/adapters/local/dir-ledger.js';
import {
  OciImageRegistry,
  writeImage,
} from '../../../../functions/shared/adapters/local/oci-image-registry.js';
import { ManualClock } from '../../../../functions/shared/clock.js';
import { parseConfig } from '../../../../functions/shared/config/index.js';
import type { TollgatePorts } from '../../../../functions/shared/ports/tollgate-ports.js';
import { validConfig } from '../../../support/config-fixtures.js';
import { ref, ScriptedDeployer } from '../deploy/scripted-deployer.js';

const arn = (n: number) => `arn:aws:states:us-east-1:123456789012:execution:tollgate:run-${n}`;

describe('promote', () => {
  let dir: string;
  let ports: {
    config: ReturnType<typeof parseConfig>;
    clock: ManualClock;
    artifacts: DirArtifactStore;
    images: OciImageRegistry;
    deployer: ScriptedDeployer;
    ledger: DirLedger;
  };
  const input = (n: number, release = ref(`r${n}`)) => ({
    executionArn: arn(n),
    stateName: 'Promote',
    pipeline: 'orders-service',
    environment: 'test',
    release,
  });
  const serve = (release = ref('r1')) => ports.deployer.serving.set('test', release);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'promote-'));
    ports = {
      config: parseConfig(validConfig()),
      clock: new ManualClock('2026-03-01T10:00:00.000Z'),
      artifacts: new DirArtifactStore(join(dir, 'artifacts')),
      images: new OciImageRegistry(join(dir, 'oci')),
      deployer: new ScriptedDeployer(),
      ledger: new DirLedger(join(dir, 'ledger')),
    };
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('points the environment at the release and records a promotion when the release is serving', async () => {
    // Arrange
    serve(ref('r1'));
    // Act
    const out = await promote({ ...input(1), evidence: { smokeTests: { passed: true } } }, ports);
    // Assert
    expect(out).toEqual({
      environment: 'test',
      version: 'r1',
      digest: ref('r1').digest,
      since: '2026-03-01T10:00:00.000Z',
      previous: null,
      imageTag: null,
      ledgerSeq: expect.any(Number),
    });
    expect(await ports.artifacts.getPointer('envs/orders-service/test.json')).toEqual({
      ...ref('r1'),
      pipeline: 'orders-service',
      environment: 'test',
      since: '2026-03-01T10:00:00.000Z',
      executionArn: arn(1),
      stateName: 'Promote',
      previous: null,
    });
    const entries = await ports.ledger.query({ kinds: ['promotion'] });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      environment: 'test',
      releaseVersion: 'r1',
      executionArn: arn(1),
      actor: 'tollgate',
      data: { digest: ref('r1').digest, previousVersion: null, evidence: { smokeTests: { passed: true } } },
    });
  });

  it('keeps the replaced release one level deep as previous when a newer release is promoted', async () => {
    // Arrange
    serve(ref('r1'));
    await promote(input(1), ports);
    serve(ref('r2', 'b'));
    ports.clock.advance(60_000);
    await promote(input(2, ref('r2', 'b')), ports);
    serve(ref('r3', 'c'));
    ports.clock.advance(60_000);
    // Act
    const out = await promote(input(3, ref('r3', 'c')), ports);
    // Assert
    expect(out.previous).toBe('r2');
    const pointer = await ports.artifacts.getPointer<Record<string, unknown>>(
      'envs/orders-service/test.json',
    );
    expect(pointer?.previous).toEqual({
      ...ref('r2', 'b'),
      pipeline: 'orders-service',
      environment: 'test',
      since: '2026-03-01T10:01:00.000Z',
      executionArn: arn(2),
      stateName: 'Promote',
    });
  });

  it('changes nothing and appends no second entry when the same execution and state run again', async () => {
    // Arrange
    serve(ref('r1'));
    await promote(input(1), ports);
    serve(ref('r2', 'b'));
    const first = await promote(input(2, ref('r2', 'b')), ports);
    ports.clock.advance(3_600_000);
    // Act
    const again = await promote(input(2, ref('r2', 'b')), ports);
    // Assert
    expect(again).toEqual(first);
    const pointer = await ports.artifacts.getPointer<{ previous: { version: string } }>(
      'envs/orders-service/test.json',
    );
    expect(pointer?.previous.version).toBe('r1');
    expect(await ports.ledger.query({ kinds: ['promotion'] })).toHaveLength(2);
  });

  it('moves the env-<name> image tag to the release image when the release has one', async () => {
    // Arrange
    const layer = join(dir, 'layer.tgz');
    await writeFile(layer, gzipSync(Buffer.alloc(1024)));
    const image = await writeImage(join(dir, 'oci'), { layer, created: new Date('2026-03-01T00:00:00Z') });
    const release = { ...ref('r1'), imageDigest: image.digest };
    serve(release);
    // Act
    const out = await promote(input(1, release), ports);
    // Assert
    expect(out.imageTag).toBe('env-test');
    expect(await ports.images.resolve('env-test')).toBe(image.digest);
  });

  it('throws DeployFailed and writes nothing when the environment serves another release', async () => {
    // Arrange
    serve(ref('r1'));
    // Act
    const attempt = promote(input(2, ref('r2', 'b')), ports);
    // Assert
    await expect(attempt).rejects.toThrow('cannot promote r2 in test: the environment serves r1');
    await expect(attempt).rejects.toMatchObject({ name: 'Tollgate.DeployFailed' });
    expect(await ports.artifacts.getPointer('envs/orders-service/test.json')).toBeUndefined();
    expect(await ports.ledger.query()).toEqual([]);
  });

  it('throws InvalidInput and writes nothing when the environment is not configured', async () => {
    // Arrange
    serve(ref('r1'));
    // Act
    const attempt = promote({ ...input(1), environment: 'qa' }, ports);
    // Assert
    await expect(attempt).rejects.toMatchObject({ name: 'Tollgate.InvalidInput' });
    expect(await ports.ledger.query()).toEqual([]);
  });

  it('rejects an event whose evidence is not an object through the handler', async () => {
    // Arrange
    const handler = createHandler(async () => ports as unknown as TollgatePorts);
    // Act
    const attempt = handler({ ...input(1), evidence: 'all good' });
    // Assert
    await expect(attempt).rejects.toThrow(/^promote: invalid input: evidence: /);
    expect(await ports.ledger.query()).toEqual([]);
  });
});
