import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TASKS } from '../../functions/task-registry.js';
import {
  inStackPartition,
  integrationBindings,
  readDefinition,
  stackBindings,
  unboundPlaceholders,
} from '../../infra/asl-substitutions.js';
import { DEFAULT_DEFINITION_PATH } from '../../infra/repo-paths.js';
import { placeholdersIn } from '../../statemachines/placeholders.js';

describe('asl-substitutions', () => {
  it('returns distinct sorted placeholders and ignores JSONata and JSONPath dollars', () => {
    // Arrange
    const text = '{"a":"$[B]","b":"$[A]","c":"$[B]","d":"{% $states.input %}","e":"$.x","f":"$$[ "}'
      .replace(/\[/g, '{')
      .replace(/]/g, '}');

    // Act / Assert
    expect(placeholdersIn(text)).toEqual(['A', 'B']);
  });

  it('returns the placeholders bindings lack', () => {
    expect(unboundPlaceholders('"$[A]" "$[B]"'.replace(/\[/g, '{').replace(/]/g, '}'), { A: 'x' })).toEqual([
      'B',
    ]);
  });

  it('returns no unbound Lambda placeholder for the real ASL when every task is bound', () => {
    // Arrange
    const definition = readDefinition(DEFAULT_DEFINITION_PATH);
    const bindings = Object.fromEntries([
      ...TASKS.map((t) => [t.placeholder, 'arn']),
      ['BuildResource', 'arn'],
    ]);

    // Act / Assert
    expect(unboundPlaceholders(definition, bindings)).toEqual([]);
  });

  it('returns the codebuild .sync integration ARN in the given partition', () => {
    const bindings = stackBindings({
      functionArnsByPlaceholder: {},
      partition: 'aws-cn',
      buildProjectName: 'b',
      pipelineName: 'p',
    });
    expect(bindings.BuildResource).toBe('arn:aws-cn:states:::codebuild:startBuild.sync');
  });

  it('returns the Lambda integrations as placeholders bound in the given partition', () => {
    // Arrange
    const definition =
      '{"A":{"Resource":"arn:aws:states:::lambda:invoke"},"B":{"Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken"}}';

    // Act
    const rewritten = JSON.parse(inStackPartition(definition));
    const bindings = integrationBindings('aws-cn');

    // Assert
    expect(bindings[rewritten.A.Resource.slice(2, -1)]).toBe('arn:aws-cn:states:::lambda:invoke');
    expect(bindings[rewritten.B.Resource.slice(2, -1)]).toBe(
      'arn:aws-cn:states:::lambda:invoke.waitForTaskToken',
    );
  });

  it('throws naming the integration when the definition uses one it cannot put in the partition', () => {
    expect(() => inStackPartition('{"Resource":"arn:aws:states:::sqs:sendMessage"}')).toThrow(
      /arn:aws:states:::sqs:sendMessage, which infra\/asl-substitutions\.ts cannot put in the stack's partition; add it to INTEGRATION_PLACEHOLDERS/,
    );
  });

  it('throws when the definition file is missing', () => {
    expect(() => readDefinition('/nonexistent.asl.json')).toThrow(/cannot read the state machine definition/);
  });

  it('throws when the definition is not JSON', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'asl-')), 'x.asl.json');
    writeFileSync(path, 'States: {}');
    expect(() => readDefinition(path)).toThrow(/x\.asl\.json is not valid JSON/);
  });
});
