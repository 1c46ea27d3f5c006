import { describe, expect, it } from 'vitest';
import { invalidDefinitionMessage } from '../../../../../runtime/asl/definition/definition-errors.js';
import { validateDefinition } from '../../../../../runtime/asl/definition/validate-definition.js';

const v = (def: unknown) => validateDefinition(JSON.stringify(def));

describe('validateDefinition', () => {
  it('returns no diagnostics for a valid definition with nested Parallel and Map', () => {
    // Act
    const out = v({
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [{ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } }],
          Next: 'M',
        },
        M: { Type: 'Map', ItemProcessor: { StartAt: 'B', States: { B: { Type: 'Succeed' } } }, End: true },
      },
    });

    // Assert
    expect(out).toEqual([]);
  });

  it('locates a missing StartAt target', () => {
    // Act / Assert
    expect(v({ StartAt: 'X', States: { A: { Type: 'Pass', End: true } } })).toContainEqual({
      code: 'MISSING_TRANSITION_TARGET',
      message: "Missing 'Next' target: X",
      location: '/StartAt',
    });
  });

  it('locates a bad Catch target inside a Map processor', () => {
    // Act
    const out = v({
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ItemProcessor: {
            StartAt: 'T',
            States: {
              T: {
                Type: 'Task',
                Resource: 'arn:aws:states:::lambda:invoke',
                Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Gone' }],
                End: true,
              },
            },
          },
          End: true,
        },
      },
    });

    // Assert
    expect(out.map((d) => d.location)).toContain('/States/M/ItemProcessor/States/T/Catch/0/Next');
  });

  it('refuses Next and End together, and neither', () => {
    // Act
    const out = v({
      StartAt: 'A',
      States: { A: { Type: 'Pass', Next: 'B', End: true }, B: { Type: 'Pass' } },
    });

    // Assert
    expect(out.map((d) => d.location)).toEqual(['/States/A', '/States/B']);
  });

  it('refuses JSONPath-only fields in a JSONata state', () => {
    // Act
    const out = v({
      QueryLanguage: 'JSONata',
      StartAt: 'A',
      States: { A: { Type: 'Pass', InputPath: '$', End: true } },
    });

    // Assert
    expect(out).toContainEqual(expect.objectContaining({ location: '/States/A/InputPath' }));
  });

  it('refuses a JSONPath state inside a JSONata state machine', () => {
    // Act
    const out = v({
      QueryLanguage: 'JSONata',
      StartAt: 'A',
      States: { A: { Type: 'Pass', QueryLanguage: 'JSONPath', End: true } },
    });

    // Assert
    expect(out).toContainEqual(expect.objectContaining({ location: '/States/A/QueryLanguage' }));
  });

  it('refuses a Wait with two duration forms', () => {
    // Act / Assert
    expect(
      v({
        StartAt: 'W',
        States: { W: { Type: 'Wait', Seconds: 1, Timestamp: '2026-01-01T00:00:00Z', End: true } },
      }),
    ).toHaveLength(1);
  });

  it('reports text that is not JSON as INVALID_JSON_DESCRIPTION', () => {
    // Act / Assert
    expect(validateDefinition('{')[0].code).toBe('INVALID_JSON_DESCRIPTION');
  });

  it("formats diagnostics as AWS's InvalidDefinition message", () => {
    // Act
    const message = invalidDefinitionMessage([
      { code: 'SCHEMA_VALIDATION_FAILED', message: 'bad', location: '/States/A' },
    ]);

    // Assert
    expect(message).toBe("Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: bad at /States/A'");
  });
});
