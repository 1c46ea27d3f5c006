import type { TollgateConfig } from './config/schema.js';

/**
 * The CodeBuild project a pipeline's test stages run in. The stack names the project and
 * run-tests finds it by the same function (as plan-run and the stack agree on the build project),
 * so no variable is spent on it: a task's variables share Lambda's 4 KB with the other names it needs.
 */
export function testStageProjectName(config: Pick<TollgateConfig, 'name'>): string {
  return `${config.name}-tests`;
}
