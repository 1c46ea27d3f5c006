import { describe, expect, it } from 'vitest';
import { TASKS } from '../../../functions/task-registry.js';
import { TASK_HANDLERS } from '../../../runtime/function-runner/task-handlers.js';
import { PIPELINE_MACHINE } from '../../../statemachines/pipeline.js';

describe('functions/task-registry', () => {
  it.each([...TASKS.map((t) => t.name), 'approve', 'webhook'])(
    'has a Lambda entry point `handler` in functions/%s/handler.ts',
    async (name) => {
      // Arrange / Act: the CDK stack bundles exactly this module and export.
      const mod = (await import(`../../../functions/${name}/handler.ts`)) as { handler?: unknown };
      // Assert
      expect(typeof mod.handler).toBe('function');
    },
  );

  it('lists exactly the functions the pipeline calls, each with the placeholder the ASL names it by', () => {
    // Act
    const entries = TASKS.map((t) => [t.name, t.placeholder]);
    // Assert
    expect(TASKS.map((t) => t.name)).toEqual(PIPELINE_MACHINE.functions);
    expect(entries).toContainEqual(['record-approval-timeout', 'RecordApprovalTimeoutFunctionArn']);
    expect(entries).toContainEqual(['plan-run', 'PlanRunFunctionArn']);
  });

  it('gives the local function runner the createHandler of every task, from the same handler.ts', async () => {
    // Arrange
    const deployModule = await import('../../../functions/deploy/handler.js');
    // Act
    const bound = Object.keys(TASK_HANDLERS).sort();
    // Assert
    expect(bound).toEqual(TASKS.map((t) => t.name).sort());
    expect(TASK_HANDLERS.deploy).toBe(deployModule.createHandler);
  });
});
