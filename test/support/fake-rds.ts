import {
  CreateDBInstanceCommand,
  type DBCluster,
  DBClusterAlreadyExistsFault,
  DBClusterNotFoundFault,
  type DBInstance,
  DBInstanceAlreadyExistsFault,
  DBInstanceNotFoundFault,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  InvalidDBClusterStateFault,
  RestoreDBClusterToPointInTimeCommand,
  type Tag,
} from '@aws-sdk/client-rds';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-secrets-manager';
import type { AwsStub } from 'aws-sdk-client-mock';

/**
 * A stateful stand-in for the RDS and Secrets Manager calls the Aurora clone provider makes, wired
 * into aws-sdk-client-mock. Clusters and instances move creating → available (and deleting → gone)
 * after `ticks` describe calls, like the real asynchronous control plane; errors are the SDK's own
 * exception classes with RDS's rules (no cluster delete while a member instance is not deleting).
 */
export interface FakeRds {
  readonly clusters: Map<string, DBCluster & { ticks: number }>;
  readonly instances: Map<string, DBInstance & { ticks: number }>;
  readonly secrets: Map<string, { value: string; tokens: Set<string> }>;
  addCluster(id: string, options?: { engine?: string; subnetGroup?: string }): void;
}

const meta = { $metadata: {} };

// biome-ignore lint/suspicious/noExplicitAny: aws-sdk-client-mock stubs are typed per client
export function installFakeRds(rds: AwsStub<any, any, any>, sm: AwsStub<any, any, any>, ticks = 2): FakeRds {
  const clusters = new Map<string, DBCluster & { ticks: number }>();
  const instances = new Map<string, DBInstance & { ticks: number }>();
  const secrets = new Map<string, { value: string; tokens: Set<string> }>();

  const advance = () => {
    for (const [id, c] of clusters) {
      if (c.ticks > 0) c.ticks -= 1;
      if (c.ticks === 0 && c.Status === 'creating') c.Status = 'available';
      if (c.ticks === 0 && c.Status === 'deleting') clusters.delete(id);
    }
    for (const [id, i] of instances) {
      if (i.ticks > 0) i.ticks -= 1;
      if (i.ticks === 0 && i.DBInstanceStatus === 'creating') i.DBInstanceStatus = 'available';
      if (i.ticks === 0 && i.DBInstanceStatus === 'deleting') {
        instances.delete(id);
        const c = clusters.get(i.DBClusterIdentifier ?? '');
        if (c) c.DBClusterMembers = c.DBClusterMembers?.filter((m) => m.DBInstanceIdentifier !== id);
      }
    }
  };

  const addCluster = (id: string, options: { engine?: string; subnetGroup?: string } = {}) => {
    clusters.set(id, {
      DBClusterIdentifier: id,
      DBClusterArn: `arn:aws:rds:us-east-1:123456789012:cluster:${id}`,
      Status: 'available',
      Engine: options.engine ?? 'aurora-postgresql',
      Endpoint: `${id}.cluster-abc.us-east-1.rds.amazonaws.com`,
      Port: 5432,
      DBSubnetGroup: options.subnetGroup ?? 'db-private',
      VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-0db', Status: 'active' }],
      DBClusterMembers: [],
      TagList: [],
      ticks: 0,
    });
  };

  rds.on(RestoreDBClusterToPointInTimeCommand).callsFake(async (input) => {
    const source = clusters.get(input.SourceDBClusterIdentifier);
    if (!source)
      throw new DBClusterNotFoundFault({
        ...meta,
        message: `DBCluster ${input.SourceDBClusterIdentifier} not found.`,
      });
    if (clusters.has(input.DBClusterIdentifier)) {
      throw new DBClusterAlreadyExistsFault({ ...meta, message: 'DB Cluster already exists' });
    }
    if (input.RestoreType !== 'copy-on-write' || input.UseLatestRestorableTime !== true) {
      throw new Error('fake-rds only models copy-on-write clones from the latest restorable time');
    }
    addCluster(input.DBClusterIdentifier, { engine: source.Engine, subnetGroup: input.DBSubnetGroupName });
    const c = clusters.get(input.DBClusterIdentifier)!;
    Object.assign(c, { Status: 'creating', ticks, TagList: input.Tags ?? [], CloneGroupId: 'clone-group-1' });
    return { DBCluster: c };
  });

  rds.on(DescribeDBClustersCommand).callsFake(async (input) => {
    advance();
    if (input.DBClusterIdentifier) {
      const c = clusters.get(input.DBClusterIdentifier);
      if (!c)
        throw new DBClusterNotFoundFault({
          ...meta,
          message: `DBCluster ${input.DBClusterIdentifier} not found.`,
        });
      return { DBClusters: [c] };
    }
    // Two per page so callers must follow Marker.
    const all = [...clusters.values()];
    const start = input.Marker ? Number(input.Marker) : 0;
    const next = start + 2 < all.length ? String(start + 2) : undefined;
    return { DBClusters: all.slice(start, start + 2), Marker: next };
  });

  rds.on(CreateDBInstanceCommand).callsFake(async (input) => {
    const c = clusters.get(input.DBClusterIdentifier);
    if (!c)
      throw new DBClusterNotFoundFault({
        ...meta,
        message: `DBCluster ${input.DBClusterIdentifier} not found.`,
      });
    if (instances.has(input.DBInstanceIdentifier)) {
      throw new DBInstanceAlreadyExistsFault({ ...meta, message: 'DB instance already exists' });
    }
    const i = {
      DBInstanceIdentifier: input.DBInstanceIdentifier,
      DBClusterIdentifier: input.DBClusterIdentifier,
      DBInstanceClass: input.DBInstanceClass,
      Engine: input.Engine,
      DBInstanceStatus: 'creating',
      ticks,
    };
    instances.set(input.DBInstanceIdentifier, i);
    c.DBClusterMembers = [
      ...(c.DBClusterMembers ?? []),
      { DBInstanceIdentifier: input.DBInstanceIdentifier, IsClusterWriter: true },
    ];
    return { DBInstance: i };
  });

  rds.on(DescribeDBInstancesCommand).callsFake(async (input) => {
    advance();
    if (input.DBInstanceIdentifier) {
      const i = instances.get(input.DBInstanceIdentifier);
      if (!i)
        throw new DBInstanceNotFoundFault({
          ...meta,
          message: `DBInstance ${input.DBInstanceIdentifier} not found.`,
        });
      return { DBInstances: [i] };
    }
    const cluster = input.Filters?.find((f: { Name: string }) => f.Name === 'db-cluster-id')?.Values ?? [];
    return { DBInstances: [...instances.values()].filter((i) => cluster.includes(i.DBClusterIdentifier)) };
  });

  rds.on(DeleteDBInstanceCommand).callsFake(async (input) => {
    const i = instances.get(input.DBInstanceIdentifier);
    if (!i)
      throw new DBInstanceNotFoundFault({
        ...meta,
        message: `DBInstance ${input.DBInstanceIdentifier} not found.`,
      });
    Object.assign(i, { DBInstanceStatus: 'deleting', ticks });
    return { DBInstance: i };
  });

  rds.on(DeleteDBClusterCommand).callsFake(async (input) => {
    const c = clusters.get(input.DBClusterIdentifier);
    if (!c)
      throw new DBClusterNotFoundFault({
        ...meta,
        message: `DBCluster ${input.DBClusterIdentifier} not found.`,
      });
    if (input.SkipFinalSnapshot !== true)
      throw new Error('fake-rds: clones must be deleted with SkipFinalSnapshot');
    const blocking = (c.DBClusterMembers ?? []).filter(
      (m) => instances.get(m.DBInstanceIdentifier ?? '')?.DBInstanceStatus !== 'deleting',
    );
    if (blocking.length > 0) {
      throw new InvalidDBClusterStateFault({
        ...meta,
        message: 'Cluster cannot be deleted, it still contains DB instances in non-deleting state.',
      });
    }
    Object.assign(c, { Status: 'deleting', ticks });
    return { DBCluster: c };
  });

  sm.on(GetSecretValueCommand).callsFake(async (input) => {
    const s = secrets.get(input.SecretId);
    if (!s)
      throw new ResourceNotFoundException({
        ...meta,
        message: "Secrets Manager can't find the specified secret.",
      });
    return { ARN: input.SecretId, SecretString: s.value };
  });

  sm.on(PutSecretValueCommand).callsFake(async (input) => {
    const s = secrets.get(input.SecretId);
    if (!s)
      throw new ResourceNotFoundException({
        ...meta,
        message: "Secrets Manager can't find the specified secret.",
      });
    // ClientRequestToken makes a repeated put a no-op, as the real API does.
    if (input.ClientRequestToken && s.tokens.has(input.ClientRequestToken)) return { ARN: input.SecretId };
    if (input.ClientRequestToken) s.tokens.add(input.ClientRequestToken);
    s.value = input.SecretString;
    return { ARN: input.SecretId, VersionId: input.ClientRequestToken };
  });

  return { clusters, instances, secrets, addCluster };
}

export function tagsToRecord(tags: Tag[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}
