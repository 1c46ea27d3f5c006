import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  apiTokenFromSecret,
  FlashArrayClient,
} from '../../../../../../functions/shared/adapters/aws/flasharray-client.js';
import { FlashArraySnapshotProvider } from '../../../../../../functions/shared/adapters/aws/flasharray-snapshot-provider.js';
import type { SnapshotRef } from '../../../../../../functions/shared/ports/snapshot-provider.js';
import { deriveName } from '../../../../../../functions/shared/snapshots/resource-names.js';
import {
  type FakeFlashArray,
  type FakeObject,
  startFakeFlashArray,
} from '../../../../../support/fake-flasharray.js';
import {
  labelsFor,
  type SnapshotProviderHarness,
  settle,
  snapshotProviderContract,
} from '../../ports/snapshot-provider.contract.js';

const TOKEN = 'a9c2e7d0-1f4b-4c59-9e0a-0d7f3b2c1e55';

function volume(name: string, content: string): FakeObject {
  return { id: `id-${name}`, name, destroyed: false, content, created: 0 };
}

describe('FlashArraySnapshotProvider', () => {
  const secrets = mockClient(SecretsManagerClient);
  let fa: FakeFlashArray;
  let n = 0;

  const providerFor = (options: { protectionGroup?: string } = {}) =>
    new FlashArraySnapshotProvider({
      client: new FlashArrayClient({
        endpoint: fa.url,
        allowPlaintext: true, // the fake serves plain HTTP on loopback
        apiToken: apiTokenFromSecret(
          new SecretsManagerClient({ region: 'us-east-1' }),
          'tollgate/flasharray',
        ),
      }),
      protectedVolumes: ['prod-db'],
      connections: {
        'test-db': { secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:test-db' },
      },
      ...options,
    });

  beforeAll(async () => {
    fa = await startFakeFlashArray({ apiToken: TOKEN, pageSize: 2 });
    fa.volumes.set('prod-db', volume('prod-db', 'prod-v1'));
    fa.volumes.set('prod-wal', volume('prod-wal', 'wal-v1'));
    fa.volumes.set('test-db', volume('test-db', 'old-test'));
    fa.protectionGroups.set('prod-pg', ['prod-db', 'prod-wal']);
  });

  afterAll(() => fa.close());

  afterEach(() => {
    secrets.reset();
  });

  function secretHolds(value: string) {
    secrets.on(GetSecretValueCommand, { SecretId: 'tollgate/flasharray' }).resolves({ SecretString: value });
  }

  describe('contract', () => {
    let harness: SnapshotProviderHarness;
    beforeAll(() => {
      harness = {
        provider: providerFor(),
        sources: ['prod-db'],
        newTarget: () => {
          n += 1;
          return `copy-${n}`;
        },
      };
    });
    // The outer afterEach resets the mock, so each contract test re-arms the secret as it starts.
    snapshotProviderContract(() => {
      secretHolds(TOKEN);
      return harness;
    });
  });

  it('returns unreachable with what it guarantees instead of a scan, and cannot stage', async () => {
    // Arrange
    const provider = providerFor();
    const ref = {
      provider: 'flasharray' as const,
      kind: 'volumes' as const,
      name: 'c1',
      mode: 'overwrite' as const,
      volumes: [{ source: 'prod-db', target: 'test-db', name: 'test-db' }],
    };
    // Act
    const scan = await provider.scanAtRest(ref, ['someone@realmail.org']);
    // Assert
    expect(scan).toEqual({ kind: 'unreachable', reason: expect.stringMatching(/VACUUM FULL.*WAL/) });
    expect(provider.capabilities().staging).toBe(false);
    await expect(provider.startPublish({ ...ref, staged: true })).rejects.toThrow(/never stages/);
  });

  it('copies the snapshot into test in place, and later prod writes do not reach test', async () => {
    // Arrange
    secretHolds(TOKEN);
    const provider = providerFor();
    const labels = labelsFor('inplace');
    const snap = (
      await settle(
        { provider, sources: [], newTarget: () => '' },
        await provider.startSnapshot({ idempotencyKey: 'inplace/S', source: ['prod-db'], labels }),
      )
    ).ref as SnapshotRef;

    // Act
    const op = await provider.startClone({
      idempotencyKey: 'inplace/C',
      snapshot: snap,
      targets: [{ source: 'prod-db', target: 'test-db' }],
      mode: 'overwrite',
      labels,
    });
    fa.volumes.get('prod-db')!.content = 'prod-v2';

    // Assert
    expect(await provider.poll(op)).toEqual({ state: 'SUCCEEDED', ref: op.resource });
    expect(fa.volumes.get('test-db')!.content).toBe('prod-v1');
    expect(fa.volumes.get('test-db')!.id).toBe('id-test-db');
    expect(fa.requests).toContain(`POST /api/2.17/volumes?names=test-db&overwrite=true`);
    expect(await provider.connection('test-db')).toEqual({
      kind: 'secret',
      secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:test-db',
    });
    fa.volumes.get('prod-db')!.content = 'prod-v1';
  });

  it('eradicates a destroyed-but-not-eradicated snapshot holding the name, then creates it', async () => {
    // Arrange
    secretHolds(TOKEN);
    const provider = providerFor();
    const suffix = deriveName('tg', 'pending/S');
    fa.snapshots.set(`prod-db.${suffix}`, {
      ...volume(`prod-db.${suffix}`, 'stale'),
      destroyed: true,
      source: { name: 'prod-db' },
    });

    // Act
    const op = await provider.startSnapshot({
      idempotencyKey: 'pending/S',
      source: ['prod-db'],
      labels: labelsFor('pending'),
    });

    // Assert
    expect((await provider.poll(op)).state).toBe('SUCCEEDED');
    expect(fa.snapshots.get(`prod-db.${suffix}`)).toMatchObject({ destroyed: false, content: 'prod-v1' });
    expect(fa.requests).toContain(`DELETE /api/2.17/volume-snapshots?names=prod-db.${suffix}`);
  });

  it('eradicates a destroyed target volume holding the name before copying into it', async () => {
    // Arrange
    secretHolds(TOKEN);
    const provider = providerFor();
    const labels = labelsFor('destroyed-target');
    const snap = (await provider.startSnapshot({ idempotencyKey: 'dt/S', source: ['prod-db'], labels }))
      .resource as SnapshotRef;
    fa.volumes.set('scratch', { ...volume('scratch', 'old'), destroyed: true });

    // Act
    const op = await provider.startClone({
      idempotencyKey: 'dt/C',
      snapshot: snap,
      targets: [{ source: 'prod-db', target: 'scratch' }],
      mode: 'create',
      labels,
    });

    // Assert
    expect((await provider.poll(op)).state).toBe('SUCCEEDED');
    expect(fa.volumes.get('scratch')).toMatchObject({ destroyed: false, content: 'prod-v1' });
  });

  it('takes one protection-group snapshot covering every volume when a group is configured', async () => {
    // Arrange
    secretHolds(TOKEN);
    const provider = providerFor({ protectionGroup: 'prod-pg' });

    // Act
    const op = await provider.startSnapshot({
      idempotencyKey: 'pg/S',
      source: ['prod-db', 'prod-wal'],
      labels: labelsFor('pg'),
    });
    const status = await provider.poll(op);

    // Assert
    const suffix = deriveName('tg', 'pg/S');
    expect(provider.capabilities().consistencyGroup).toBe(true);
    expect(status.state).toBe('SUCCEEDED');
    expect(op.resource.name).toBe(`prod-pg.${suffix}`);
    expect(fa.requests.filter((r) => r.startsWith('POST /api/2.17/protection-group-snapshots'))).toEqual([
      'POST /api/2.17/protection-group-snapshots?source_names=prod-pg',
    ]);
    expect(fa.snapshots.get(`prod-pg.${suffix}.prod-wal`)?.content).toBe('wal-v1');
  });

  it('throws InvalidInput naming the volume when a source is outside the protection group', async () => {
    // Arrange
    secretHolds(TOKEN);
    const provider = providerFor({ protectionGroup: 'prod-pg' });

    // Act
    const attempt = provider.startSnapshot({
      idempotencyKey: 'pg/bad',
      source: ['test-db'],
      labels: labelsFor('pg-bad'),
    });

    // Assert
    await expect(attempt).rejects.toThrow('volume(s) test-db are not in protection group "prod-pg"');
  });

  it('logs in again once when the session has expired', async () => {
    // Arrange
    secretHolds(TOKEN);
    const provider = providerFor();
    await provider.list({});
    fa.expireSessions();
    const logins = fa.requests.filter((r) => r.endsWith('/login')).length;

    // Act
    const listed = await provider.list({ pipeline: 'none' });

    // Assert
    expect(listed).toEqual([]);
    expect(fa.requests.filter((r) => r.endsWith('/login')).length).toBe(logins + 1);
  });

  it('throws the array error context and message when the API token is wrong', async () => {
    // Arrange
    secretHolds('{"apiToken":"not-the-token"}');
    const provider = providerFor();

    // Act
    const attempt = provider.list({});

    // Assert
    await expect(attempt).rejects.toThrow(
      'FlashArray login failed (HTTP 401): api-token: Invalid API token.',
    );
  });

  it('throws a configuration error when the secret is JSON without apiToken', async () => {
    // Arrange
    secretHolds('{"token":"x"}');
    const provider = providerFor();

    // Act
    const attempt = provider.list({});

    // Assert
    await expect(attempt).rejects.toMatchObject({
      name: 'Tollgate.ConfigError',
      message: expect.stringContaining('without a string "apiToken"'),
    });
  });

  it('throws a conflict and changes nothing when the derived name holds a snapshot with other labels', async () => {
    // Arrange
    secretHolds(TOKEN);
    const provider = providerFor();
    await provider.startSnapshot({
      idempotencyKey: 'conflict/S',
      source: ['prod-db'],
      labels: labelsFor('one'),
    });
    const before = fa.requests.length;

    // Act
    const attempt = provider.startSnapshot({
      idempotencyKey: 'conflict/S',
      source: ['prod-db'],
      labels: labelsFor('two'),
    });

    // Assert
    await expect(attempt).rejects.toMatchObject({ name: 'Tollgate.ImmutableConflict' });
    expect(fa.requests.slice(before).filter((r) => !r.startsWith('GET'))).toEqual([]);
  });
});
