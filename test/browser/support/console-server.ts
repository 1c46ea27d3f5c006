import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import pg from 'pg';
import { type ConsoleDeps, type ConsoleRoutes, createConsoleRoutes } from '../../../console/server/index.js';
import { seedProd } from '../../../examples/orders-service/seed/seed-prod.mjs';
import { migrateDatabase } from '../../../functions/migrate-database/migrate-database.js';
import { loadMigrationsFromDir } from '../../../functions/migrate-database/migration-files.js';
import { systemClock } from '../../../functions/shared/clock.js';
import { createApprovalsRoute } from '../../../runtime/local-api/approvals-route.js';
import { freePort, type LocalPipeline } from '../../support/local-pipeline.js';

const root = new URL('../../../', import.meta.url).pathname;

/**
 * The console as `tollgate up` serves it, on a real loopback port: the runtime's own approvals
 * route (identity rules, resume of the run) chained before the console's routes, over the
 * in-process pipeline's engine, ledger and approval store.
 */
export interface ConsoleServer {
  readonly origin: string;
  readonly port: number;
  readonly secret: string;
  readonly routes: ConsoleRoutes;
  close(): Promise<void>;
}

export async function startConsoleServer(
  pipeline: LocalPipeline,
  user = 'ana',
  extra: Pick<ConsoleDeps, 'repository'> = {},
): Promise<ConsoleServer> {
  const port = await freePort();
  const secret = 'browser-test-secret-0123456789abcdef';
  const approvals = createApprovalsRoute({
    secret,
    port: () => port,
    runtimeUser: user,
    ports: async () => pipeline.runner.ports,
  });
  const routes = createConsoleRoutes({
    sfn: pipeline.engine.service,
    ledger: pipeline.runner.ports.ledger,
    approvals: pipeline.runner.ports.approvals,
    aslText: readFileSync(`${root}statemachines/pipeline.asl.json`, 'utf8'),
    stateMachineArn: pipeline.stateMachineArn,
    config: pipeline.config,
    secret,
    port,
    onEvent: (listener) => pipeline.engine.onEvent(listener),
    clock: { now: () => new Date(pipeline.clock.now()) },
    // As tollgate up mounts it: the runtime's task log store behind the per-stage logs.
    taskLogs: pipeline.runner.taskLogs,
    ...extra,
  });
  const server: Server = createServer((req, res) => {
    (async () => {
      if (await approvals(req, res)) return;
      if (await routes(req, res)) return;
      res.writeHead(404).end();
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    secret,
    routes,
    close: () =>
      new Promise<void>((resolve) => {
        routes.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Prod as it is before Tollgate's first run: the current schema and customer data with PII. */
export async function seedProduction(p: LocalPipeline): Promise<void> {
  const url = p.runner.ports.volumes.connectionString('prod');
  await migrateDatabase(
    { connectionString: url, migrations: loadMigrationsFromDir(`${root}examples/orders-service/migrations`) },
    { clock: systemClock },
  );
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await seedProd(client, { customers: 300, orders: 1_500, seed: 7 });
  } finally {
    await client.end();
  }
}
