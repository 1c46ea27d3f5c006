import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STAGES, stageOf } from '../../../model/stage-catalogue.js';

interface AslState {
  readonly Type: string;
  readonly ItemProcessor?: { readonly States: Record<string, AslState> };
  readonly Iterator?: { readonly States: Record<string, AslState> };
  readonly Branches?: ReadonlyArray<{ readonly States: Record<string, AslState> }>;
}

/** Every state of the pipeline, Map and Parallel bodies included, as [name, type]. */
function pipelineStates(): Array<[string, string]> {
  const asl = JSON.parse(
    readFileSync(new URL('../../../statemachines/pipeline.asl.json', import.meta.url), 'utf8'),
  ) as { States: Record<string, AslState> };
  const found: Array<[string, string]> = [];
  const walk = (states: Record<string, AslState>) => {
    for (const [name, state] of Object.entries(states)) {
      found.push([name, state.Type]);
      if (state.ItemProcessor) walk(state.ItemProcessor.States);
      if (state.Iterator) walk(state.Iterator.States);
      for (const branch of state.Branches ?? []) walk(branch.States);
    }
  };
  walk(asl.States);
  return found;
}

describe('stage catalogue', () => {
  it('names every Task, Wait and Choice state of the pipeline ASL in exactly one stage', () => {
    // Arrange
    const working = pipelineStates().filter(([, type]) => ['Task', 'Wait', 'Choice'].includes(type));
    // Act
    const owners = working.map(([name]) => [
      name,
      STAGES.filter((s) => s.states.includes(name)).map((s) => s.id),
    ]);
    // Assert
    expect(working.length).toBeGreaterThan(20);
    expect(owners.filter(([, stages]) => stages.length !== 1)).toEqual([]);
  });

  it('names no state the pipeline ASL does not have, so a rename cannot leave a stale name behind', () => {
    // Arrange
    const names = new Set(pipelineStates().map(([name]) => name));
    // Act
    const stale = STAGES.flatMap((s) => [...s.states, ...(s.continuesThrough ?? [])]).filter(
      (n) => !names.has(n),
    );
    // Assert
    expect(stale).toEqual([]);
  });

  it('returns one id per stage and a label and help line for each', () => {
    // Act
    const ids = STAGES.map((s) => s.id);
    // Assert
    expect(new Set(ids).size).toBe(ids.length);
    for (const stage of STAGES) expect(stage.label.length * stage.help.length).toBeGreaterThan(0);
  });

  it('places a state it does not name yet by its words, and an unknown task as a stage of its own', () => {
    // Act
    const placed = [
      stageOf('WaitInQueue', 'Wait'),
      stageOf('StartAuroraClone', 'Task'),
      stageOf('RollbackLoopDecision', 'Choice'),
      stageOf('VerifyMaskingAgain', 'Task'),
      stageOf('RunCanary', 'Task'),
      stageOf('SomeRouting', 'Pass'),
      stageOf('EnterEnvironment', 'Pass'),
    ];
    // Assert
    expect(placed).toEqual(['queue', 'refresh', 'rollback', 'verify-masking', 'run-canary', null, null]);
  });
});
