import { type ConsoleDeps, type ConsoleRoutes, createConsoleRoutes } from '../../console/server/index.js';
import type { ExtraRoutes } from '../server/api-server.js';

/**
 * The web console's routes on the runtime's port. The console is part of Tollgate, so it is
 * imported like any other module: a console that fails to load fails the start instead of
 * vanishing, and its dependencies are checked by the compiler rather than at run time.
 */
export type MountedConsole = ConsoleRoutes;

export function loadConsoleRoutes(deps: ConsoleDeps): MountedConsole {
  return createConsoleRoutes(deps);
}

/** Tries each handler in turn; the first that answers wins. */
export function chainRoutes(...handlers: ReadonlyArray<ExtraRoutes | undefined>): ExtraRoutes {
  const present = handlers.filter((h): h is ExtraRoutes => h !== undefined);
  return async (req, res) => {
    for (const handler of present) if (await handler(req, res)) return true;
    return false;
  };
}
