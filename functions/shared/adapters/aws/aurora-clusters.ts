import {
  type DBCluster,
  type DBInstance,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';

/**
 * The RDS calls the Aurora clone provider makes, each tolerating the "not found" or "already so"
 * faults that a repeated or crashed task meets, so the provider's logic reads as its decisions.
 */
export class AuroraClusters {
  constructor(private readonly rds: RDSClient) {}

  async describeCluster(id: string): Promise<DBCluster | undefined> {
    const out = await tolerate(
      () => this.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id })),
      'DBClusterNotFoundFault',
    );
    return out?.DBClusters?.[0];
  }

  async describeInstance(id: string): Promise<DBInstance | undefined> {
    const out = await tolerate(
      () => this.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id })),
      'DBInstanceNotFoundFault',
    );
    return out?.DBInstances?.[0];
  }

  /** Every cluster, page by page (DescribeDBClusters pages with Marker). */
  async *all(): AsyncGenerator<DBCluster> {
    let marker: string | undefined;
    do {
      const page = await this.rds.send(new DescribeDBClustersCommand({ Marker: marker }));
      yield* page.DBClusters ?? [];
      marker = page.Marker;
    } while (marker);
  }

  /** RDS accepts the cluster delete once every member instance is at least `deleting`. */
  async deleteCluster(id: string): Promise<void> {
    const cluster = await this.describeCluster(id);
    if (!cluster || cluster.Status === 'deleting') return;
    for (const m of cluster.DBClusterMembers ?? []) {
      await tolerate(
        () =>
          this.rds.send(
            new DeleteDBInstanceCommand({
              DBInstanceIdentifier: m.DBInstanceIdentifier,
              SkipFinalSnapshot: true,
            }),
          ),
        'DBInstanceNotFoundFault',
        'InvalidDBInstanceStateFault',
      );
    }
    await tolerate(
      () => this.rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: id, SkipFinalSnapshot: true })),
      'DBClusterNotFoundFault',
    );
  }
}

/** Runs an AWS call, turning the named errors into undefined and rethrowing anything else. */
export async function tolerate<T>(call: () => Promise<T>, ...names: string[]): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof Error && names.includes(error.name)) return undefined;
    throw error;
  }
}
