/**
 * The data plane moto's RDS lacks: every Aurora cluster moto reports gets a real Postgres behind
 * its endpoint. A cluster is an in-memory PGlite served over the Postgres wire protocol (SCRAM, as
 * the local runtime serves its volumes); a copy-on-write restore (RestoreDBClusterToPointInTime)
 * is a copy of the source's data taken at the moment moto accepted the restore, and a deleted
 * cluster stops answering. Endpoint host names resolve to the loopback port through the hosts map
 * the endpoint preload reads.
 *
 * Does not model: TLS (the wire server speaks plain Postgres; `sslmode=require` fails here),
 * replication lag, instances as separate endpoints, or performance.
 */
import { writeFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { DATABASE_NAME, DATABASE_USER } from '../../../functions/shared/adapters/local/database-password.js';
import { PgWireServer } from '../../../functions/shared/adapters/local/pg-wire-server.js';

interface Cluster {
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

  constructor(private readonly hosts: HostsMap) {}

  /** A cluster with its own fresh database (prod's, or an environment's before its first refresh). */
  async create(clusterId: string, host: string): Promise<PGlite> {
    return (await this.serve(clusterId, host, await PGlite.create())).db;
  }

  /** RestoreDBClusterToPointInTime (copy-on-write): the source's data as of now. */
  async restore(sourceId: string, clusterId: string, host: string): Promise<void> {
    const source = this.clusters.get(sourceId);
    if (!source) throw new Error(`RDS data plane: restore from "${sourceId}", which it does not serve`);
    const copy = await PGlite.create({ loadDataDir: await source.db.dumpDataDir('none') });
    await this.serve(clusterId, host, copy);
  }

  async delete(clusterId: string): Promise<void> {
    const c = this.clusters.get(clusterId);
    if (!c) return;
    this.clusters.delete(clusterId);
    this.hosts.set(c.host, undefined);
    await c.server.stop();
    await c.db.close();
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

  private async serve(clusterId: string, host: string, db: PGlite): Promise<Cluster> {
    const server = new PgWireServer({
      db,
      host: '127.0.0.1',
      port: 0,
      maxConnections: 16,
      password: MASTER_PASSWORD,
    });
    const port = await server.start();
    const cluster = { db, server, port, host };
    this.clusters.set(clusterId, cluster);
    this.hosts.set(host, port);
    return cluster;
  }
}
