/**
 * The data plane moto's RDS lacks: every Aurora cluster moto reports gets a real Postgres behind
 * its endpoint. A cluster is a PGlite with its data directory under the rehearsal's work directory,
 * served over the Postgres wire protocol (SCRAM, as the local runtime serves its volumes); a
 * copy-on-write restore (RestoreDBClusterToPointInTime) is a copy of the source's data taken at the
 * moment moto accepted the restore, and a deleted cluster stops answering. Endpoint host names
 * resolve to the loopback port through the hosts map the endpoint preload reads.
 *
 * A new cluster is a copy of the cached empty cluster (not PGlite's own initdb, 3 s each here) and
 * a restore copies the source's files after a CHECKPOINT (not a tar dump through PGlite's in-memory
 * file system, 1.3 s each): the rehearsal makes 4 clusters and restores 14, and both had made it
 * CPU-bound. The copy is taken between two statements of the source, on this thread, so nothing
 * writes while it runs; the copy opens as after a crash, as an Aurora clone does. shared_buffers is
 * small: Postgres zeroes it at every start, and these clusters hold a few hundred rows.
 *
 * Does not model: TLS (the wire server speaks plain Postgres; `sslmode=require` fails here),
 * replication lag, instances as separate endpoints, or performance.
 */
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { DATABASE_NAME, DATABASE_USER } from '../../../functions/shared/adapters/local/database-password.js';
import { fillWithEmptyCluster } from '../../../functions/shared/adapters/local/empty-cluster.js';
import { PgWireServer } from '../../../functions/shared/adapters/local/pg-wire-server.js';

const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];

interface Cluster {
  readonly dataDir: string;
  readonly db: PGlite;
  readonly server: PgWireServer;
  readonly port: number;
  readonly host: string;
}

export const MASTER_PASSWORD = 'rehearsal-master-password';

export class HostsMap {
  private readonly hosts: Record<string, number> = {};
  constructor(readonly file: string) {
    this.flush();
  }
  set(host: string, port: number | undefined): void {
    if (port === undefined) delete this.hosts[host.toLowerCase()];
    else this.hosts[host.toLowerCase()] = port;
    this.flush();
  }
  private flush(): void {
    writeFileSync(this.file, JSON.stringify(this.hosts));
  }
}

export class RdsDataPlane {
  private readonly clusters = new Map<string, Cluster>();

  private nextDir = 0;

  /** `workDir`: where the clusters' data directories go (the caller removes it). */
  constructor(
    private readonly hosts: HostsMap,
    private readonly workDir: string,
  ) {
    mkdirSync(workDir, { recursive: true });
  }

  /** A cluster with its own fresh database (prod's, or an environment's before its first refresh). */
  async create(clusterId: string, host: string): Promise<PGlite> {
    const dataDir = this.newDataDir(clusterId);
    if (!(await fillWithEmptyCluster(dataDir, START_PARAMS))) mkdirSync(dataDir);
    return (await this.serve(clusterId, host, dataDir)).db;
  }

  /** RestoreDBClusterToPointInTime (copy-on-write): the source's data as of now. */
  async restore(sourceId: string, clusterId: string, host: string): Promise<void> {
    const source = this.clusters.get(sourceId);
    if (!source) throw new Error(`RDS data plane: restore from "${sourceId}", which it does not serve`);
    const dataDir = this.newDataDir(clusterId);
    // The CHECKPOINT only makes the copy's crash recovery short; the copy is consistent without it.
    await source.db.exec('CHECKPOINT');
    cpSync(source.dataDir, dataDir, { recursive: true });
    await this.serve(clusterId, host, dataDir);
  }

  async delete(clusterId: string): Promise<void> {
    const c = this.clusters.get(clusterId);
    if (!c) return;
    this.clusters.delete(clusterId);
    this.hosts.set(c.host, undefined);
    await c.server.stop();
    await c.db.close();
    rmSync(c.dataDir, { recursive: true, force: true });
  }

  connectionUrl(clusterId: string): string {
    const c = this.clusters.get(clusterId);
    if (!c) throw new Error(`RDS data plane: no cluster "${clusterId}"`);
    return `postgres://${DATABASE_USER}:${MASTER_PASSWORD}@127.0.0.1:${c.port}/${DATABASE_NAME}`;
  }

  has(clusterId: string): boolean {
    return this.clusters.has(clusterId);
  }

  async close(): Promise<void> {
    for (const id of [...this.clusters.keys()]) await this.delete(id);
  }

  /** A data directory of its own: a restore may reuse a deleted cluster's identifier. */
  private newDataDir(clusterId: string): string {
    this.nextDir += 1;
    return join(this.workDir, `${clusterId}-${this.nextDir}`);
  }

  private async serve(clusterId: string, host: string, dataDir: string): Promise<Cluster> {
    const db = await PGlite.create({ dataDir, startParams: START_PARAMS });
    const server = new PgWireServer({
      db,
      host: '127.0.0.1',
      port: 0,
      maxConnections: 16,
      password: MASTER_PASSWORD,
    });
    const port = await server.start();
    const cluster = { dataDir, db, server, port, host };
    this.clusters.set(clusterId, cluster);
    this.hosts.set(host, port);
    return cluster;
  }
}
