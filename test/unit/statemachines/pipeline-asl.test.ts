import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { RESOURCE_PLACEHOLDERS, TASKS } from '../../../functions/task-registry.js';
import {
  localSubstitutions,
  placeholdersIn,
  substitute,
} from '../../../runtime/function-runner/local-substitutions.js';

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
});
