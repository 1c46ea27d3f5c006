import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STAGES, stageDefinition } from '../../../model/stage-catalogue.js';
import { stageOf } from '../../../model/stage-of-state.js';

interface AslState {
  readonly Type: string;
  readonly ItemProcessor?: { readonly States: Record<string, AslState> };
  readonly Iterator?: { readonly States: Record<string, AslState> };
  readonly Branches?: ReadonlyArray<{ readonly States: Record<string, AslState> }>;
}

/** Every state of the checked-in pipeline ASL, Map and Parallel bodies included, as [name, type]. */
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
  it('has a label and help line for the stage of every Task, Wait and Choice state of the pipeline', () => {
    // Arrange
    const working = pipelineStates().filter(([, type]) => ['Task', 'Wait', 'Choice'].includes(type));
    // Act
    const unplaced = working
      .map(([name, type]) => [name, stageOf(name, type)] as const)
      .filter(([, stage]) => stage === null || !stageDefinition(stage));
    // Assert
    expect(working.length).toBeGreaterThan(20);
    expect(unplaced).toEqual([]);
  });

  it('places only routing states in no stage', () => {
    // Act
    const routing = pipelineStates().filter(([name, type]) => stageOf(name, type) === null);
    // Assert
    expect(routing.map(([, type]) => type).sort()).toEqual([
      'Fail',
      'Fail',
      'Map',
      'Pass',
      'Succeed',
      'Succeed',
    ]);
  });

  it('names no state the pipeline ASL does not have, so a rename cannot leave a stale name behind', () => {
    // Arrange
    const names = new Set(pipelineStates().map(([name]) => name));
    // Act
    const stale = STAGES.flatMap((s) => s.continuesThrough ?? []).filter((n) => !names.has(n));
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
});
