import { functionPlaceholder } from '../statemachines/builder/task-states.js';
import { PIPELINE_MACHINE, type TaskName } from '../statemachines/pipeline.js';

/**
 * The Lambda tasks, read from the pipeline's declarations (statemachines/pipeline.ts): a function
 * the pipeline calls is a task, so a new stage's function is listed here by its builder call alone.
 * The CDK stack builds a function per entry and binds its ARN to the ASL placeholder; the local
 * function runner binds the same placeholder to a local ARN that it maps to the same handler module.
 */
export interface TaskEntry {
  /** Folder under functions/ and the function name suffix. */
  readonly name: TaskName;
  /** `${Placeholder}` in statemachines/pipeline.asl.json that receives this function's ARN. */
  readonly placeholder: string;
}

export type { TaskName };

export const TASKS: readonly TaskEntry[] = PIPELINE_MACHINE.functions.map((name) => ({
  name,
  placeholder: functionPlaceholder(name),
}));

/** Non-Lambda resources the ASL takes as placeholders (the build step differs per mode). */
export const RESOURCE_PLACEHOLDERS = ['BuildResource'] as const;
