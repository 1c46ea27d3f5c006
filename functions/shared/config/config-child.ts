import { pathToFileURL } from 'node:url';

/**
 * Runs in a child process started by loadConfig (with tsx's loader): imports one
 * `tollgate.config.ts` and sends its default export back over the IPC channel. A config that calls
 * process.exit, hangs or crashes then takes only this process with it.
 */
const file = process.argv[2];
const send = (message: unknown) =>
  new Promise<void>((resolve) => {
    if (process.send) process.send(message, () => resolve());
    else resolve();
  });

try {
  if (!file) throw new Error('config-child needs the config file path');
  const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  await send(mod.default === undefined ? { kind: 'no-default' } : { kind: 'loaded', config: mod.default });
} catch (error) {
  await send({ kind: 'failed', message: (error as Error)?.message ?? String(error) });
}
process.disconnect?.();
