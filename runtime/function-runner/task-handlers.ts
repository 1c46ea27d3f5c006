import type { TaskHandler } from '../../functions/shared/handler.js';
import type { PortsFactory } from '../../functions/shared/ports/tollgate-ports.js';
import { TASKS, type TaskName } from '../../functions/task-registry.js';

type CreateHandler = (ports: PortsFactory) => TaskHandler<unknown>;

/**
 * Every task's `createHandler`, from the `handler.ts` the Lambda bundles, so local runs execute
 * exactly the code that ships to AWS. Loaded by the folder convention (`functions/<task>/handler.ts`)
 * rather than one import line per task: the task list comes from the pipeline's declarations, and a
 * new stage then needs no line here. All are loaded when this module is, as static imports would be,
 * so a missing export stops `tollgate up` at start rather than mid-run.
 */
async function loadCreateHandler(task: TaskName): Promise<CreateHandler> {
  const module = (await import(`../../functions/${task}/handler.ts`)) as { createHandler?: unknown };
  if (typeof module.createHandler !== 'function')
    throw new Error(
      `functions/${task}/handler.ts exports no createHandler(ports); the function runner calls it to run the task locally`,
    );
  return module.createHandler as CreateHandler;
}

export const TASK_HANDLERS: Readonly<Record<TaskName, CreateHandler>> = Object.fromEntries(
  await Promise.all(TASKS.map(async (t) => [t.name, await loadCreateHandler(t.name)] as const)),
) as Record<TaskName, CreateHandler>;
