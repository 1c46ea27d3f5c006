import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ExtraRoutes } from '../server/api-server.js';

const CONSOLE_MODULE = new URL('../../console/server/index.ts', import.meta.url);

/**
 * The web console's routes, when the console is part of this checkout. It is imported lazily so
 * the runtime works without it; when the module exists but fails to load, that is an error the
 * user must see, not a console that silently vanished.
 */
export type MountedConsole = ExtraRoutes & { close?: () => void };

export async function loadConsoleRoutes(deps: Record<string, unknown>): Promise<MountedConsole | undefined> {
  if (!existsSync(fileURLToPath(CONSOLE_MODULE))) return undefined;
  const mod = (await import(CONSOLE_MODULE.href)) as { createConsoleRoutes?: (deps: unknown) => unknown };
  if (typeof mod.createConsoleRoutes !== 'function') return undefined;
  const routes = await mod.createConsoleRoutes(deps);
  if (typeof routes !== 'function')
    throw new TypeError('console/server: createConsoleRoutes must return a route handler');
  return routes as MountedConsole;
}

/** Tries each handler in turn; the first that answers wins. */
export function chainRoutes(...handlers: ReadonlyArray<ExtraRoutes | undefined>): ExtraRoutes {
  const present = handlers.filter((h): h is ExtraRoutes => h !== undefined);
  return async (req, res) => {
    for (const handler of present) if (await handler(req, res)) return true;
    return false;
  };
}
