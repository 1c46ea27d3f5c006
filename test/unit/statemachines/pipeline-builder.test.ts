import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { functionPlaceholder, placeholder } from '../../../statemachines/builder/task-states.js';
import { PIPELINE_MACHINE } from '../../../statemachines/pipeline.js';
import { PIPELINE_ASL_PATH, renderPipelineAsl } from '../../../statemachines/pipeline-asl-file.js';

interface AnyState {
  readonly Type: string;
  readonly Resource?: string;
  readonly Arguments?: { readonly FunctionName?: string };
  readonly Retry?: ReadonlyArray<{ readonly ErrorEquals: readonly string[] }>;
  readonly ItemProcessor?: { readonly States: Record<string, AnyState> };
}

function allStates(states: Record<string, AnyState>): Array<[string, AnyState]> {
  return Object.entries(states).flatMap(([name, s]) => [
    [name, s] as [string, AnyState],
    ...(s.ItemProcessor ? allStates(s.ItemProcessor.States) : []),
  ]);
}

describe('statemachines/pipeline.ts', () => {
  it('is what the checked-in pipeline.asl.json says, byte for byte (run `npm run asl` when this fails)', () => {
    // Arrange
    const checkedIn = readFileSync(PIPELINE_ASL_PATH, 'utf8');
    // Act
    const built = renderPipelineAsl();
    // Assert: compared as objects first, so a stale file shows which states differ.
    expect(JSON.parse(built)).toEqual(JSON.parse(checkedIn));
    expect(built).toBe(checkedIn);
  });

  it("retries the guard's lock conflict on every state the concurrency guard serves", () => {
    // Arrange: a contended release that gave up failed the run and left the lock held.
    const states = allStates(PIPELINE_MACHINE.definition.States as Record<string, AnyState>);
    // Act
    const guard = states.filter(
      ([, s]) => s.Arguments?.FunctionName === placeholder(functionPlaceholder('concurrency-guard')),
    );
    // Assert
    expect(guard.map(([name]) => name).sort()).toEqual([
      'AcquireLock',
      'CheckLock',
      'ReleaseLock',
      'ReleaseLockAfterFailure',
      'RenewLock',
      'WaitForLock',
    ]);
    for (const [name, s] of guard)
      expect({ name, retries: s.Retry?.flatMap((r) => r.ErrorEquals) }).toEqual({
        name,
        retries: expect.arrayContaining(['Tollgate.LockConflict']),
      });
  });

  it('gives every Lambda task the Lambda retry default first, and only Lambda tasks', () => {
    // Arrange
    const states = allStates(PIPELINE_MACHINE.definition.States as Record<string, AnyState>);
    // Act
    const tasks = states.filter(([, s]) => s.Type === 'Task');
    const lambda = tasks.filter(([, s]) => s.Resource?.startsWith('arn:aws:states:::lambda:invoke'));
    // Assert
    expect(lambda.length).toBeGreaterThan(20);
    for (const [, s] of lambda)
      expect(s.Retry?.[0]?.ErrorEquals).toContain('Lambda.TooManyRequestsException');
    expect(tasks.filter(([, s]) => !lambda.some(([, l]) => l === s)).map(([n, s]) => [n, s.Retry])).toEqual([
      ['Build', undefined],
    ]);
  });

  it('stamps every Task, Wait and Choice state with a stage, and no routing-only state', () => {
    // Arrange
    const states = allStates(PIPELINE_MACHINE.definition.States as Record<string, AnyState>);
    // Act
    const unstamped = states
      .filter(([name]) => PIPELINE_MACHINE.stageOfState.get(name) === null)
      .map(([name, s]) => `${name}:${s.Type}`);
    // Assert
    expect(PIPELINE_MACHINE.stageOfState.size).toBe(states.length);
    expect(unstamped.sort()).toEqual([
      'Done:Succeed',
      'EnterEnvironment:Pass',
      'EnvironmentFailed:Fail',
      'Environments:Map',
      'RunFailed:Fail',
      'Skipped:Succeed',
    ]);
    expect(PIPELINE_MACHINE.stageOfState.get('PollRollback')).toBe('rollback');
    expect(PIPELINE_MACHINE.stageOfState.get('PollDeployment')).toBe('deploy');
  });

  it('lists each Lambda function it calls once, in order of first use', () => {
    // Act
    const functions = PIPELINE_MACHINE.functions;
    // Assert
    expect(functions[0]).toBe('plan-run');
    expect(new Set(functions).size).toBe(functions.length);
    expect(functions).toContain('poll-deployment');
    expect(functions.length).toBeGreaterThan(10);
  });
});
