import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TASKS } from '../../functions/task-registry.js';
import {
  placeholdersIn,
  readDefinition,
  stackBindings,
  unboundPlaceholders,
} from '../../infra/asl-substitutions.js';
import { DEFAULT_DEFINITION_PATH } from '../../infra/repo-paths.js';

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

  it('throws when the definition file is missing', () => {
    expect(() => readDefinition('/nonexistent.asl.json')).toThrow(/cannot read the state machine definition/);
  });

  it('throws when the definition is not JSON', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'asl-')), 'x.asl.json');
    writeFileSync(path, 'States: {}');
    expect(() => readDefinition(path)).toThrow(/x\.asl\.json is not valid JSON/);
  });
});
