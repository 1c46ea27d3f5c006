/**
 * Runs one storage operation of the local provider in its own process, for tests that kill it
 * (SIGKILL) part way: `tsx refresh-child.ts <dataDir> <request.json>`. The request is a clone
 * (`{kind:'clone', ...StartCloneRequest}`) or snapshot (`{kind:'snapshot', ...}`). Prints `done`.
 */
import fs from 'node:fs';
import { LocalSnapshotProvider } from '../../functions/shared/adapters/local/local-snapshot-provider.js';
import { VolumeHost } from '../../functions/shared/adapters/local/pglite-volumes.js';

const [dataDir, requestFile] = process.argv.slice(2);
const request = JSON.parse(fs.readFileSync(requestFile!, 'utf8'));
const host = new VolumeHost({ dataDir: dataDir! });
const provider = new LocalSnapshotProvider({ dataDir: dataDir!, host, protectedVolumes: ['prod'] });
const op =
  request.kind === 'clone' ? await provider.startClone(request) : await provider.startSnapshot(request);
process.stdout.write('started\n');
await provider.idle();
const status = await provider.poll(op);
process.stdout.write(`${status.state === 'SUCCEEDED' ? 'done' : `failed ${status.reason}`}\n`);
await host.closeAll();
