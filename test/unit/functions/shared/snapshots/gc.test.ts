import { RDSClient } from '@aws-sdk/client-rds';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AuroraCloneSnapshotProvider } from '../../../../../functions/shared/adapters/aws/aurora-clone-snapshot-provider.js';
import type { SnapshotRef } from '../../../../../functions/shared/ports/snapshot-provider.js';
import { gc } from '../../../../../functions/shared/snapshots/gc.js';
import { installFakeRds } from '../../../../support/fake-rds.js';
import { labelsFor, settle } from '../ports/snapshot-provider.contract.js';

const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:tollgate/test-db';

describe('gc', () => {
  const rds = mockClient(RDSClient);
  const sm = mockClient(SecretsManagerClient);

  afterEach(() => {
    rds.reset();
    sm.reset();
  });

  it('keeps an expired clone that an environment serves from and deletes the expired one nobody uses', async () => {
    // Arrange
    const fake = installFakeRds(rds, sm);
    fake.addCluster('orders-prod');
    fake.secrets.set(SECRET, {
      // A refresh must be able to undo itself, so the secret names the cluster test serves from.
      value: JSON.stringify({ username: 'app', password: 'pw', dbClusterIdentifier: 'orders-prod' }),
      tokens: new Set(),
    });
    const provider = new AuroraCloneSnapshotProvider({
      rds: new RDSClient({ region: 'us-east-1' }),
      secrets: new SecretsManagerClient({ region: 'us-east-1' }),
      sourceClusterId: 'orders-prod',
      instanceClass: 'db.serverless',
      connectionSecrets: { test: SECRET },
    });
    const h = { provider, sources: ['orders-prod'], newTarget: () => 'unused' };
    const expired = labelsFor('gc', '2026-01-01T00:00:00.000Z');
    const snap = (
      await settle(
        h,
        await provider.startSnapshot({ idempotencyKey: 'gc/S', source: ['orders-prod'], labels: expired }),
      )
    ).ref as SnapshotRef;
    const serving = await provider.startClone({
      idempotencyKey: 'gc/serving',
      snapshot: snap,
      targets: [{ source: 'orders-prod', target: 'test' }],
      mode: 'overwrite',
      labels: expired,
    });
    const spare = await provider.startClone({
      idempotencyKey: 'gc/spare',
      snapshot: snap,
      targets: [{ source: 'orders-prod', target: 'scratch' }],
      mode: 'create',
      labels: expired,
    });
    await settle(h, serving);
    await settle(h, spare);

    // Act
    const result = await gc(provider, { now: new Date('2026-02-01T00:00:00.000Z') });
    for (const op of result.deleting) await settle(h, op);

    // Assert
    expect(result.keptInUse.map((r) => r.ref.name)).toEqual([serving.resource.name]);
    expect(result.deleting.map((op) => op.resource.name)).toEqual([spare.resource.name]);
    expect(fake.clusters.has(spare.resource.name)).toBe(false);
    expect(fake.clusters.has(serving.resource.name)).toBe(true);
  });
});
