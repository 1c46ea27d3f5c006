import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createDiffRoute } from '../../../console/server/diff-route.js';
import { createConsoleRoutes } from '../../../console/server/index.js';
import { createRedeployRoute } from '../../../console/server/redeploy-route.js';
import { createApprovalsRoute } from '../../../runtime/local-api/approvals-route.js';
import { chainRoutes } from '../../../runtime/up/console-routes.js';
import { freePort, type LocalPipeline } from '../../support/local-pipeline.js';
import type { ConsoleServer } from './console-server.js';

const root = new URL('../../../', import.meta.url).pathname;

/**
 * The console with every route `tollgate up` chains for it (local-runtime.ts): approvals, the
 * release page's "Deploy to …" (also behind the board's roll back), the diff page's data, then the
 * console's own, over the in-process pipeline's engine and ports on a real loopback port.
 */
export async function startReleaseConsole(pipeline: LocalPipeline, user = 'ana'): Promise<ConsoleServer> {
  const port = await freePort();
  const secret = 'browser-test-secret-0123456789abcdef';
  const ports = pipeline.runner.ports;
  const routes = createConsoleRoutes({
    sfn: pipeline.engine.service,
    ledger: ports.ledger,
    approvals: ports.approvals,
    aslText: readFileSync(`${root}statemachines/pipeline.asl.json`, 'utf8'),
    stateMachineArn: pipeline.stateMachineArn,
    config: pipeline.config,
    secret,
    port,
    onEvent: (listener) => pipeline.engine.onEvent(listener),
    clock: { now: () => new Date(pipeline.clock.now()) },
  });
  const handle = chainRoutes(
    createApprovalsRoute({ secret, port: () => port, runtimeUser: user, ports: async () => ports }),
    createRedeployRoute({
      config: pipeline.config,
      ledger: ports.ledger,
      artifacts: ports.artifacts,
      sfn: pipeline.engine.service,
      stateMachineArn: () => pipeline.stateMachineArn,
      secret,
      port: () => port,
      user,
    }),
    createDiffRoute({
      config: pipeline.config,
      ledger: ports.ledger,
      artifacts: ports.artifacts,
      source: ports.source,
      port: () => port,
    }),
    routes,
  );
  const server: Server = createServer((req, res) => {
    Promise.resolve(handle(req, res))
      .then((handled) => {
        if (!handled) res.writeHead(404).end();
      })
      .catch(() => {
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
