/**
 * Stages a clone of prod for test in its own process and starts masking it, for a test that kills
 * the process (SIGKILL) in the middle: `tsx staging-child.ts <dataDir>`. Prints one JSON line with
 * the staged clone's refs, then `masking` once rows are masked and a long statement is running; it
 * never ends on its own.
 */
import pg from 'pg';
import { LocalSnapshotProvider } from '../../functions/shared/adapters/local/local-snapshot-provider.js';
import { VolumeHost } from '../../functions/shared/adapters/local/pglite-volumes.js';
import type { SnapshotRef, VolumeSetRef } from '../../functions/shared/ports/snapshot-provider.js';

const labels = {
  pipeline: 'orders',
  run: 'arn:aws:states:local:0:execution:p:r1',
  ttl: '2030-01-01T00:00:00.000Z',
};
const [dataDir] = process.argv.slice(2);
const host = new VolumeHost({ dataDir: dataDir! });
await host.open('prod', 0);
await host.open('test', 0);
const provider = new LocalSnapshotProvider({
  dataDir: dataDir!,
  host,
  ports: { test: host.portOf('test')! },
  protectedVolumes: ['prod'],
});
const done = async (op: Awaited<ReturnType<typeof provider.startSnapshot>>) => {
  await provider.idle();
  const status = await provider.poll(op);
  if (status.state !== 'SUCCEEDED') throw new Error(`${op.id}: ${status.reason}`);
  return status.ref;
};
const snapshot = (await done(
  await provider.startSnapshot({ idempotencyKey: 'kill/snap', source: ['prod'], labels }),
)) as SnapshotRef;
const clone = (await done(
  await provider.startClone({
    idempotencyKey: 'kill/clone',
    snapshot,
    targets: [{ source: 'prod', target: 'test' }],
    mode: 'overwrite',
    labels,
    stage: true,
  }),
)) as VolumeSetRef;
const info = await provider.connection(clone);
const client = new pg.Client({ connectionString: info.kind === 'url' ? info.connectionString : '' });
await client.connect();
process.stdout.write(`${JSON.stringify({ clone, snapshot })}\n`);
// Masks every row, then keeps the staged clone's thread busy (a nested loop) until the process is
// killed: the kill lands with masked rows in the staged clone's WAL and a statement running.
await client.query("UPDATE customers SET email = 'user' || id || '@example.invalid'");
void client.query(
  'SELECT sum(a.i * b.j) FROM generate_series(1, 20000) a(i), generate_series(1, 20000) b(j)',
);
setImmediate(() => process.stdout.write('masking\n'));
