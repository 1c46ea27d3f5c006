import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { RESOURCE_PLACEHOLDERS, TASKS } from '../../../functions/task-registry.js';
import { localSubstitutions } from '../../../runtime/function-runner/local-substitutions.js';
import { placeholdersIn, substitute } from '../../../statemachines/placeholders.js';

const require = createRequire(import.meta.url);
const aslValidator = require('asl-validator') as (d: unknown) => { isValid: boolean; errors: unknown[] };
const aslText = readFileSync(new URL('../../../statemachines/pipeline.asl.json', import.meta.url), 'utf8');

function jsonataStrings(
  node: unknown,
  path = '$',
  out: Array<[string, string]> = [],
): Array<[string, string]> {
  if (typeof node === 'string' && node.startsWith('{%') && node.endsWith('%}'))
    out.push([path, node.slice(2, -2)]);
  else if (node && typeof node === 'object') {
    for (const [key, child] of Object.entries(node)) jsonataStrings(child, `${path}.${key}`, out);
  }
  return out;
}

function stateNames(
  states: Record<string, { ItemProcessor?: { States: Record<string, unknown> } }>,
): string[] {
  return Object.entries(states).flatMap(([name, s]) => [
    name,
    ...(s.ItemProcessor ? stateNames(s.ItemProcessor.States as never) : []),
  ]);
}

describe('statemachines/pipeline.asl.json', () => {
  it('is a valid ASL document once the local substitutions are applied', () => {
    // Arrange
    const definition = JSON.parse(substitute(aslText, localSubstitutions()));
    // Act
    const result = aslValidator(definition);
    // Assert
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('is caught by the validator when a transition points nowhere (the validator is not a rubber stamp)', () => {
    // Arrange
    const definition = JSON.parse(substitute(aslText, localSubstitutions()));
    definition.States.Normalize.Next = 'NoSuchState';
    // Act
    const result = aslValidator(definition);
    // Assert
    expect(result.isValid).toBe(false);
  });

  it('binds every placeholder in the local mapping table, and only known ones exist', () => {
    // Arrange
    const known = [...TASKS.map((t) => t.placeholder), ...RESOURCE_PLACEHOLDERS].sort();
    // Act
    const used = placeholdersIn(aslText);
    // Assert
    expect(used).toEqual(known);
    expect(Object.keys(localSubstitutions()).sort()).toEqual(known);
  });

  it('rejects substitution when a placeholder has no binding', () => {
    // Arrange
    const bindings = localSubstitutions();
    delete bindings.DeployFunctionArn;
    // Act / Assert
    expect(() => substitute(aslText, bindings)).toThrow(
      /unbound ASL placeholder\(s\): \$\{DeployFunctionArn\}/,
    );
  });

  it('has only JSONata expressions that parse', () => {
    // Arrange
    const expressions = jsonataStrings(JSON.parse(aslText));
    // Act
    const bad = expressions.flatMap(([path, expr]) => {
      try {
        jsonata(expr);
        return [];
      } catch (error) {
        return [`${path}: ${(error as Error).message}`];
      }
    });
    // Assert
    expect(expressions.length).toBeGreaterThan(30);
    expect(bad).toEqual([]);
  });

  it('names no environment: environments come from config through the plan', () => {
    // Arrange
    const lowered = aslText.toLowerCase();
    // Act / Assert
    for (const env of ['"test"', '"staging"', '"prod"', "'prod'", "'staging'"])
      expect(lowered).not.toContain(env);
    expect(JSON.parse(aslText).States.Environments.Items).toBe('{% $plan.environments %}');
  });

  it('catches every task so a failure is recorded and the lock released', () => {
    // Arrange
    const asl = JSON.parse(aslText);
    const all = { ...asl.States, ...asl.States.Environments.ItemProcessor.States };
    // Act
    const uncaught = Object.entries(all)
      .filter(([, s]) => (s as { Type: string }).Type === 'Task' && !(s as { Catch?: unknown }).Catch)
      .map(([name]) => name);
    // Assert: RecordSkip is the only task allowed to fail the run directly (it has nothing to clean up).
    expect(uncaught).toEqual(['RecordSkip']);
    expect(stateNames(asl.States)).toContain('Rollback');
  });

  it('retries every Lambda invocation on ClientExecutionTimeoutException as on the other Lambda service errors', () => {
    // Arrange
    const asl = JSON.parse(aslText);
    const all = { ...asl.States, ...asl.States.Environments.ItemProcessor.States };
    // Act
    const lambdaTasks = Object.entries(all).filter(([, s]) =>
      String((s as { Resource?: string }).Resource).startsWith('arn:aws:states:::lambda:invoke'),
    );
    const missing = lambdaTasks
      .filter(
        ([, s]) =>
          !((s as { Retry?: Array<{ ErrorEquals: string[] }> }).Retry ?? []).some(
            (r) =>
              r.ErrorEquals.includes('Lambda.ServiceException') &&
              r.ErrorEquals.includes('Lambda.ClientExecutionTimeoutException'),
          ),
      )
      .map(([name]) => name);
    // Assert
    expect(lambdaTasks.length).toBeGreaterThan(20);
    expect(missing).toEqual([]);
  });

  it('assigns no variable both at the top level and inside the environments Map', () => {
    // Arrange
    const asl = JSON.parse(aslText);
    const assigned = (states: Record<string, unknown>) =>
      new Set(
        Object.values(states).flatMap((s) => {
          const state = s as {
            Assign?: object;
            Catch?: Array<{ Assign?: object }>;
            Choices?: Array<{ Assign?: object }>;
          };
          return [
            state.Assign,
            ...(state.Catch ?? []).map((c) => c.Assign),
            ...(state.Choices ?? []).map((c) => c.Assign),
          ]
            .filter(Boolean)
            .flatMap((a) => Object.keys(a as object));
        }),
      );
    // Act
    const outer = assigned(asl.States);
    const inner = assigned(asl.States.Environments.ItemProcessor.States);
    // Assert
    expect(inner.has('envFailure')).toBe(true);
    expect(outer.has('failure')).toBe(true);
    expect([...inner].filter((name) => outer.has(name))).toEqual([]);
  });

  it('waits for a rollback rollout in the state machine: start, then Wait and poll-deployment, then finish', () => {
    // Arrange
    const states = JSON.parse(aslText).States.Environments.ItemProcessor.States;
    // Act
    const path: string[] = [];
    for (let name = 'Rollback'; name && !path.includes(name); ) {
      path.push(name);
      const s = states[name];
      name = s.Next ?? s.Choices?.[0]?.Next;
      // What follows is the checkpoint restore, which asks only past a breaking migration.
      if (name === 'CheckpointRestoreNeeded') name = states[name].Default;
    }
    // Assert
    expect(path).toEqual([
      'Rollback',
      'RollbackStarted',
      'PollRollback',
      'RollbackDecision',
      'FinishRollback',
      'EnvironmentFailed',
    ]);
    expect(states.FinishRollback.Next).toBe('CheckpointRestoreNeeded');
    expect(states.RollbackDecision.Default).toBe('WaitForRollback');
    expect(states.WaitForRollback).toMatchObject({ Type: 'Wait', Next: 'PollRollback' });
    expect(states.PollRollback.Arguments.FunctionName).toBe(states.PollDeployment.Arguments.FunctionName);
    expect(states.Rollback.Arguments.Payload.step).toBe('start');
    expect(states.FinishRollback.Arguments.Payload.step).toBe('finish');
  });

  it("takes a refresh's storage steps from the snapshot provider, not from a fixed list", () => {
    // Arrange
    const states = JSON.parse(aslText).States.Environments.ItemProcessor.States;
    // Act
    const refresh = states.RefreshNeeded.Choices[0];
    // Assert
    expect(refresh.Next).toBe('PlanRefresh');
    expect(states.PlanRefresh.Arguments.Payload.action).toBe('plan');
    expect(states.PlanRefresh.Assign.storageSteps).toBe('{% $states.result.Payload.steps %}');
    expect(aslText).not.toContain('"backup-target"');
  });
});
