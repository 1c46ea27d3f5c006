import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GraphModelError } from '../../../../console/server/errors.js';
import { buildGraphModel, END_NODE, START_NODE } from '../../../../console/server/graph-model.js';

const pipelineAsl = readFileSync(
  new URL('../../../../statemachines/pipeline.asl.json', import.meta.url),
  'utf8',
);

const machine = (states: Record<string, unknown>, startAt = Object.keys(states)[0]) =>
  JSON.stringify({ StartAt: startAt, States: states });

describe('buildGraphModel', () => {
  it('returns one node per state of the pipeline, with the Map iteration as children of the Map', () => {
    // Arrange
    const asl = JSON.parse(pipelineAsl);
    const inner = Object.keys(asl.States.Environments.ItemProcessor.States);
    // Act
    const model = buildGraphModel(pipelineAsl);
    // Assert
    const top = model.nodes.filter((n) => n.parent === null && n.id !== START_NODE && n.id !== END_NODE);
    expect(top.map((n) => n.name).sort()).toEqual(Object.keys(asl.States).sort());
    const children = model.nodes.filter((n) => n.parent === 'Environments');
    expect(children.map((n) => n.name).sort()).toEqual([...inner].sort());
    expect(children.every((n) => n.id === `Environments/${n.name}`)).toBe(true);
    expect(model.nodes.find((n) => n.id === 'Environments')?.kind).toBe('Map');
    expect(children.find((n) => n.start)?.name).toBe(asl.States.Environments.ItemProcessor.StartAt);
  });

  it('returns Next, Choice, Default and dashed Catch edges as the ASL declares them', () => {
    // Arrange / Act
    const model = buildGraphModel(pipelineAsl);
    const from = (id: string) => model.edges.filter((e) => e.from === id);
    // Assert
    expect(from('Build').map((e) => [e.to, e.kind, e.dashed])).toEqual([
      ['RegisterRelease', 'next', false],
      ['RecordFailure', 'catch', true],
    ]);
    const lock = from('LockDecision');
    expect(lock.filter((e) => e.kind === 'choice').map((e) => e.to)).toEqual(['BuildNeeded', 'WaitForLock']);
    expect(lock.find((e) => e.kind === 'default')).toMatchObject({ to: 'LockNotGranted', label: 'default' });
    expect(from('Environments/Deploy').find((e) => e.kind === 'catch')).toMatchObject({
      to: 'Environments/RollbackNeeded',
      container: 'Environments',
      label: 'States.ALL',
      dashed: true,
    });
    expect(model.edges.every((e) => !e.dashed || e.kind === 'catch')).toBe(true);
  });

  it('returns edges that never cross containers, a start edge and end edges for terminal states', () => {
    // Arrange / Act
    const model = buildGraphModel(pipelineAsl);
    const parent = new Map(model.nodes.map((n) => [n.id, n.parent]));
    // Assert
    for (const e of model.edges) {
      expect(parent.get(e.from), e.id).toBe(e.container);
      expect(parent.get(e.to), e.id).toBe(e.container);
    }
    expect(model.edges.filter((e) => e.kind === 'start')).toEqual([
      expect.objectContaining({ from: START_NODE, to: 'Normalize' }),
    ]);
    const ends = model.edges
      .filter((e) => e.kind === 'end')
      .map((e) => e.from)
      .sort();
    expect(ends).toEqual(['Done', 'MalformedEvent', 'RunFailed', 'Skipped']);
    expect(new Set(model.edges.map((e) => e.id)).size).toBe(model.edges.length);
  });

  it('labels a JSONata condition without its delimiters and a JSONPath rule by variable and operator', () => {
    // Arrange
    const asl = machine({
      Decide: {
        Type: 'Choice',
        Choices: [
          { Condition: '{% $x > 1 %}', Next: 'A' },
          { Variable: '$.n', NumericEquals: 3, Next: 'A' },
        ],
        Default: 'B',
      },
      A: { Type: 'Succeed' },
      B: { Type: 'Fail' },
    });
    // Act
    const labels = buildGraphModel(asl)
      .edges.filter((e) => e.kind === 'choice')
      .map((e) => e.label);
    // Assert
    expect(labels).toEqual(['$x > 1', '$.n NumericEquals 3']);
  });

  it('returns each Parallel branch as a container of its own states', () => {
    // Arrange
    const asl = machine({
      Fan: {
        Type: 'Parallel',
        Branches: [
          { StartAt: 'L', States: { L: { Type: 'Pass', End: true } } },
          { StartAt: 'R', States: { R: { Type: 'Pass', End: true } } },
        ],
        End: true,
      },
    });
    // Act
    const model = buildGraphModel(asl);
    // Assert
    expect(model.nodes.filter((n) => n.kind === 'Branch').map((n) => [n.id, n.parent])).toEqual([
      ['Fan#0', 'Fan'],
      ['Fan#1', 'Fan'],
    ]);
    expect(model.nodes.find((n) => n.name === 'R')).toMatchObject({
      id: 'Fan#1/R',
      parent: 'Fan#1',
      start: true,
    });
  });

  it('accepts an already parsed definition and the legacy Iterator field', () => {
    // Arrange
    const definition = {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          Iterator: { StartAt: 'Do', States: { Do: { Type: 'Pass', End: true } } },
          End: true,
        },
      },
    };
    // Act
    const model = buildGraphModel(definition);
    // Assert
    expect(model.nodes.map((n) => n.id)).toEqual([START_NODE, 'Each', 'Each/Do', END_NODE]);
  });

  describe('refuses', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['text that is not JSON', '{"StartAt": ', /^ASL is not valid JSON: /],
      ['a JSON value that is not an object', '[1,2]', /must be a JSON object with StartAt and States/],
      [
        'a machine without States',
        JSON.stringify({ StartAt: 'A' }),
        /the state machine needs a non-empty States object/,
      ],
      [
        'a StartAt that names no state',
        machine({ A: { Type: 'Succeed' } }, 'Z'),
        /StartAt "Z" is not one of its States/,
      ],
      [
        'an unknown state Type',
        machine({ A: { Type: 'Sleep', End: true } }),
        /state "A" has unknown Type "Sleep"/,
      ],
      ['a state that is not an object', machine({ A: 3 }), /state "A" must be an object/],
      [
        'a Next that names no state',
        machine({ A: { Type: 'Pass', Next: 'Nowhere' } }),
        /state "A": Next "Nowhere" is not a state in the state machine/,
      ],
      [
        'a non-terminal state without Next',
        machine({ A: { Type: 'Pass' } }),
        /state "A": Next undefined is not a state/,
      ],
      [
        'a Choice without rules',
        machine({ A: { Type: 'Choice', Choices: [] } }),
        /Choice state "A" needs a non-empty Choices array/,
      ],
      [
        'a Choice rule leading nowhere',
        machine({ A: { Type: 'Choice', Choices: [{ Condition: '{% true %}', Next: 'X' }] } }),
        /state "A": Choices\[0\].Next "X"/,
      ],
      [
        'a Catch leading nowhere',
        machine({
          A: { Type: 'Task', Resource: 'r', End: true, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'X' }] },
        }),
        /Catch\[0\].Next "X"/,
      ],
      [
        'a Map without ItemProcessor',
        machine({ M: { Type: 'Map', End: true } }),
        /Map state "M" has no ItemProcessor/,
      ],
      [
        'a Map iteration whose Next leaves the iteration',
        machine({
          M: {
            Type: 'Map',
            ItemProcessor: { StartAt: 'I', States: { I: { Type: 'Pass', Next: 'After' } } },
            Next: 'After',
          },
          After: { Type: 'Succeed' },
        }),
        /state "I": Next "After" is not a state in Map state "M"/,
      ],
      [
        'a Parallel without branches',
        machine({ P: { Type: 'Parallel', Branches: [], End: true } }),
        /Parallel state "P" needs a non-empty Branches array/,
      ],
    ];
    for (const [what, asl, message] of cases) {
      it(`throws GraphModelError when given ${what}`, () => {
        // Arrange / Act
        const build = () => buildGraphModel(asl);
        // Assert
        expect(build).toThrow(GraphModelError);
        expect(build).toThrow(message);
        try {
          build();
        } catch (error) {
          expect((error as Error).message).not.toContain('\n');
        }
      });
    }
  });
});
