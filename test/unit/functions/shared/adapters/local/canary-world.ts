import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { DirArtifactStore } from '../../../../../../functions/shared/adapters/local/dir-artifact-store.js';
import { ProcessDeployer } from '../../../../../../functions/shared/adapters/local/process-deployer.js';
import { parseConfig } from '../../../../../../functions/shared/config/index.js';
import type { ReleaseRef } from '../../../../../../functions/shared/release.js';

/**
 * A tiny app for canary tests: answers its own version, and on /metrics a request counter and a
 * labelled query-latency histogram whose observations the release's `latency.txt` decides, like a
 * commit that makes the database slower would.
 */
const APP = `
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
const latency = Number(readFileSync(new URL('./latency.txt', import.meta.url), 'utf8'));
const version = process.env.TOLLGATE_RELEASE_VERSION;
let served = 0;
const bounds = [0.005, 0.01, 0.05, 0.1];
const observed = [];
createServer((req, res) => {
  if (req.url === '/health') { res.end('ok'); return; }
  if (req.url === '/metrics') {
    const lines = ['# HELP app_requests_total Requests served.', '# TYPE app_requests_total counter',
      'app_requests_total{release="' + version + '"} ' + served,
      '# HELP db_query_duration_seconds Query latency.', '# TYPE db_query_duration_seconds histogram'];
    for (const query of ['list_orders', 'get_order']) {
      const mine = observed.filter((o) => o.query === query).map((o) => o.seconds);
      for (const le of bounds) lines.push('db_query_duration_seconds_bucket{query="' + query + '",le="' + le + '"} ' + mine.filter((s) => s <= le).length);
      lines.push('db_query_duration_seconds_bucket{query="' + query + '",le="+Inf"} ' + mine.length);
      lines.push('db_query_duration_seconds_sum{query="' + query + '"} ' + mine.reduce((a, b) => a + b, 0));
      lines.push('db_query_duration_seconds_count{query="' + query + '"} ' + mine.length);
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(lines.join('\\n') + '\\n');
    return;
  }
  if (req.url === '/garbage') { res.end('<html>not metrics</html>'); return; }
  served += 1;
  observed.push({ query: req.url === '/orders' ? 'list_orders' : 'get_order', seconds: latency });
  res.setHeader('set-cookie', 'app-session=1; Path=/');
  res.end(version);
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

async function tarball(latencySeconds: number): Promise<Buffer> {
  const p = pack();
  p.entry({ name: 'server.mjs' }, APP);
  p.entry({ name: 'latency.txt' }, String(latencySeconds));
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of p) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

async function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** A data dir, an artifact store and a config with one process environment `prod`. */
export async function canaryWorld(options: { sticky?: boolean } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'canary-'));
  const store = new DirArtifactStore(join(dir, 'artifacts'));
  const config = parseConfig({
    name: 'orders-service',
    source: { repository: 'orders-service' },
    build: { command: 'true', artifact: 'dist/release.tgz' },
    environments: [
      {
        name: 'prod',
        deploy: { type: 'process', command: 'node server.mjs', port: await freePort() },
        deployTimeout: '20s',
        strategy: {
          type: 'canary',
          steps: [10, 50],
          interval: '1m',
          sticky: options.sticky ?? false,
          analysis: [{ source: 'requests', metric: 'error-rate', max: 0.05 }],
        },
      },
    ],
  });
  const make = () =>
    new ProcessDeployer({
      config,
      dataDir: join(dir, '.tollgate'),
      artifacts: store,
      healthIntervalMs: 50,
      unhealthyThreshold: 3,
      stopGraceMs: 500,
    });
  const release = async (version: string, latencySeconds = 0.002): Promise<ReleaseRef> => {
    const { key, digest } = await store.ingest(Readable.from([await tarball(latencySeconds)]));
    return { version, digest, artifactKey: key, commit: version.padEnd(40, '0').slice(0, 40) };
  };
  return {
    dir,
    config,
    make,
    release,
    statePath: join(dir, '.tollgate/envs/prod/state.json'),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
