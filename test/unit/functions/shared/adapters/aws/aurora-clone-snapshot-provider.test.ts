import {
  CreateDBInstanceCommand,
  DeleteDBClusterCommand,
  RDSClient,
  RestoreDBClusterToPointInTimeCommand,
} from '@aws-sdk/client-rds';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuroraCloneSnapshotProvider } from '../../../../../../functions/shared/adapters/aws/aurora-clone-snapshot-provider.js';
import type {
  SnapshotRef,
  VolumeSetRef,
} from '../../../../../../functions/shared/ports/snapshot-provider.js';
import { type FakeRds, installFakeRds, tagsToRecord } from '../../../../../support/fake-rds.js';
import {
  labelsFor,
  type SnapshotProviderHarness,
  settle,
  snapshotProviderContract,
} from '../../ports/snapshot-provider.contract.js';

const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:tollgate/test-db';

describe('AuroraCloneSnapshotProvider', () => {
  const rds = mockClient(RDSClient);
  const sm = mockClient(SecretsManagerClient);
  let fake: FakeRds;
  let harness: SnapshotProviderHarness;
  let n = 0;

  beforeEach(() => {
    fake = installFakeRds(rds, sm);
    fake.addCluster('orders-prod');
    fake.secrets.set(SECRET, {
      value: JSON.stringify({
        username: 'app',
        password: 'pw',
        host: 'orders-prod.cluster',
        port: 5432,
        dbClusterIdentifier: 'orders-prod',
      }),
      tokens: new Set(),
    });
    const provider = new AuroraCloneSnapshotProvider({
      rds: new RDSClient({ region: 'us-east-1' }),
      secrets: new SecretsManagerClient({ region: 'us-east-1' }),
      sourceClusterId: 'orders-prod',
      instanceClass: 'db.serverless',
      connectionSecrets: { test: SECRET },
    });
    harness = {
      provider,
      sources: ['orders-prod'],
      newTarget: () => {
        n += 1;
        return `env${n}`;
      },
    };
  });

  afterEach(() => {
    rds.reset();
    sm.reset();
  });

  describe('contract', () => {
    snapshotProviderContract(() => harness);
  });

  async function refresh(run: string) {
    const labels = labelsFor(run);
    const snap = (
      await settle(
        harness,
        await harness.provider.startSnapshot({ idempotencyKey: `${run}/S`, source: ['orders-prod'], labels }),
      )
    ).ref as SnapshotRef;
    const op = await harness.provider.startClone({
      idempotencyKey: `${run}/C`,
      snapshot: snap,
      targets: [{ source: 'orders-prod', target: 'test' }],
      mode: 'overwrite',
      labels,
    });
    return { op, status: await settle(harness, op) };
  }

  it('clones copy-on-write from the latest restorable time into the source subnet group, tagged with the labels', async () => {
    // Arrange
    const labels = labelsFor('shape');

    // Act
    const op = await harness.provider.startClone({
      idempotencyKey: 'shape/C',
      snapshot: {
        provider: 'aurora-clone',
        kind: 'snapshot',
        name: 'mark-x',
        volumes: [{ source: 'orders-prod', name: 'orders-prod' }],
      },
      targets: [{ source: 'orders-prod', target: 'test' }],
      mode: 'create',
      labels,
    });

    // Assert
    const input = rds.commandCalls(RestoreDBClusterToPointInTimeCommand)[0].args[0].input;
    expect(input).toMatchObject({
      DBClusterIdentifier: op.resource.name,
      SourceDBClusterIdentifier: 'orders-prod',
      RestoreType: 'copy-on-write',
      UseLatestRestorableTime: true,
      DBSubnetGroupName: 'db-private',
      VpcSecurityGroupIds: ['sg-0db'],
    });
    expect(op.resource.name).toMatch(/^tg-test-[0-9a-f]{12}$/);
    expect(tagsToRecord(input.Tags)).toEqual({
      'tollgate:pipeline': 'orders',
      'tollgate:run': labels.run,
      'tollgate:ttl': labels.ttl,
      'tollgate-ref:target': 'test',
      'tollgate-ref:mode': 'create',
    });
  });

  it('reports RUNNING until cluster and instance are available, creating the instance once', async () => {
    // Arrange
    const { op } = await refresh('poll');

    // Act
    const again = await harness.provider.poll(op);

    // Assert
    expect(again.state).toBe('SUCCEEDED');
    expect(rds.commandCalls(CreateDBInstanceCommand)).toHaveLength(1);
    expect(rds.commandCalls(CreateDBInstanceCommand)[0].args[0].input).toMatchObject({
      DBInstanceIdentifier: `${op.resource.name}-1`,
      DBClusterIdentifier: op.resource.name,
      Engine: 'aurora-postgresql',
      DBInstanceClass: 'db.serverless',
    });
  });

  it('switches the environment secret to the new clone, keeps credentials, and keeps only the clone it replaced as the backup', async () => {
    // Arrange
    const first = await refresh('r1');
    const second = await refresh('r2');

    // Act
    const third = await refresh('r3');
    await harness.provider.poll(third.op);

    // Assert
    expect(third.status.state).toBe('SUCCEEDED');
    const doc = JSON.parse(fake.secrets.get(SECRET)!.value);
    expect(doc).toEqual({
      username: 'app',
      password: 'pw',
      host: `${third.op.resource.name}.cluster-abc.us-east-1.rds.amazonaws.com`,
      port: 5432,
      dbClusterIdentifier: third.op.resource.name,
    });
    expect(third.status.backup).toEqual({
      provider: 'aurora-clone',
      kind: 'snapshot',
      name: second.op.resource.name,
      volumes: [{ source: 'test', name: second.op.resource.name }],
    });
    expect(rds.commandCalls(DeleteDBClusterCommand).map((c) => c.args[0].input)).toEqual([
      { DBClusterIdentifier: first.op.resource.name, SkipFinalSnapshot: true },
    ]);
    expect(fake.clusters.has(second.op.resource.name)).toBe(true);
    expect(fake.clusters.has('orders-prod')).toBe(true);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(3);
  });

  it('puts the environment back on the cluster it served from, and deletes the failed clone, when restoring from the backup', async () => {
    // Arrange
    const first = await refresh('r1');
    const second = await refresh('r2');
    const backup = second.status.backup!;

    // Act
    const restore = await harness.provider.startClone({
      idempotencyKey: 'r2/restore',
      snapshot: backup,
      targets: [{ source: 'test', target: 'test' }],
      mode: 'overwrite',
      restore: true,
      labels: labelsFor('r2'),
    });
    const status = await settle(harness, restore);

    // Assert
    expect(status.state).toBe('SUCCEEDED');
    expect(JSON.parse(fake.secrets.get(SECRET)!.value)).toMatchObject({
      dbClusterIdentifier: first.op.resource.name,
      host: `${first.op.resource.name}.cluster-abc.us-east-1.rds.amazonaws.com`,
    });
    expect(rds.commandCalls(DeleteDBClusterCommand).map((c) => c.args[0].input.DBClusterIdentifier)).toEqual([
      second.op.resource.name,
    ]);
    expect(rds.commandCalls(RestoreDBClusterToPointInTimeCommand)).toHaveLength(2);
  });

  it('refuses to refresh an environment whose secret names no cluster, so no refresh starts that could not be undone', async () => {
    // Arrange
    fake.secrets.set(SECRET, {
      value: JSON.stringify({ username: 'app', password: 'pw', host: 'db.internal.example', port: 5432 }),
      tokens: new Set(),
    });

    // Act
    const attempt = refresh('nobackup');

    // Assert
    await expect(attempt).rejects.toThrow(
      'the connection secret of "test" names no cluster (no dbClusterIdentifier, and host "db.internal.example" is no cluster\'s endpoint); a refresh of it could not be undone',
    );
    expect(rds.commandCalls(RestoreDBClusterToPointInTimeCommand)).toHaveLength(0);
  });

  it('keeps the serving clone out of gc and refuses to delete it directly', async () => {
    // Arrange
    const { op } = await refresh('serving');
    const listed = await harness.provider.list({ run: labelsFor('serving').run });

    // Act
    const attempt = harness.provider.startDelete(op.resource as VolumeSetRef);

    // Assert
    expect(listed.map((r) => [r.ref.name, r.inUse])).toEqual([[op.resource.name, true]]);
    await expect(attempt).rejects.toThrow(
      `cluster "${op.resource.name}" is what environment "test" serves from`,
    );
    expect(rds.commandCalls(DeleteDBClusterCommand)).toHaveLength(0);
  });

  it('throws InvalidInput when the snapshot source is not the configured source cluster', async () => {
    // Arrange
    const request = { idempotencyKey: 'k', source: ['other-cluster'], labels: labelsFor('bad') };

    // Act
    const attempt = harness.provider.startSnapshot(request);

    // Assert
    await expect(attempt).rejects.toThrow('source must be exactly ["orders-prod"]');
  });

  it('throws InvalidInput when overwriting an environment that has no connection secret', async () => {
    // Arrange
    const snap: SnapshotRef = {
      provider: 'aurora-clone',
      kind: 'snapshot',
      name: 'mark-x',
      volumes: [{ source: 'orders-prod', name: 'orders-prod' }],
    };

    // Act
    const attempt = harness.provider.startClone({
      idempotencyKey: 'nosecret',
      snapshot: snap,
      targets: [{ source: 'orders-prod', target: 'staging' }],
      mode: 'overwrite',
      labels: labelsFor('nosecret'),
    });

    // Assert
    await expect(attempt).rejects.toThrow('no connection secret configured for environment "staging"');
    expect(rds.commandCalls(RestoreDBClusterToPointInTimeCommand)).toHaveLength(0);
  });

  it('refuses to delete a cluster that is not a Tollgate clone', async () => {
    // Arrange
    const ref: VolumeSetRef = {
      provider: 'aurora-clone',
      kind: 'volumes',
      name: 'orders-prod',
      mode: 'create',
      volumes: [{ source: 'orders-prod', target: 'x', name: 'orders-prod' }],
    };

    // Act
    const attempt = harness.provider.startDelete(ref);

    // Assert
    await expect(attempt).rejects.toThrow('"orders-prod" is not a Tollgate clone; refusing to delete it');
  });
});

describe('AuroraCloneSnapshotProvider at rest', () => {
  it('returns unreachable with what it guarantees instead, and cannot stage', async () => {
    // Arrange
    const provider = new AuroraCloneSnapshotProvider({
      rds: new RDSClient({ region: 'us-east-1' }),
      secrets: new SecretsManagerClient({ region: 'us-east-1' }),
      sourceClusterId: 'orders-prod',
      instanceClass: 'db.serverless',
      connectionSecrets: { test: SECRET },
    });
    const ref: VolumeSetRef = {
      provider: 'aurora-clone',
      kind: 'volumes',
      name: 'c1',
      mode: 'overwrite',
      volumes: [{ source: 'orders-prod', target: 'test', name: 'c1' }],
    };
    // Act
    const scan = await provider.scanAtRest(ref, ['someone@realmail.org']);
    // Assert
    expect(scan).toEqual({ kind: 'unreachable', reason: expect.stringMatching(/VACUUM FULL/) });
    expect(provider.capabilities().staging).toBe(false);
    await expect(provider.startPublish({ ...ref, staged: true })).rejects.toThrow(/never stages/);
  });
});
