import { PIPELINE_MACHINE } from '../statemachines/pipeline.js';
import { STAGES } from './stage-catalogue.js';

/**
 * The stage an ASL state does work for. A state of the pipeline has the stage it was declared with
 * (statemachines/pipeline.ts), so a new state needs no entry here. A name the pipeline does not
 * declare (a run of another version's definition, a failure record's stage) is placed by the
 * catalogue's words, and an unknown Task is a stage of its own rather than vanishing.
 *
 * Its own module, apart from the catalogue's labels and help: the console's browser bundle reads
 * those and has no use for the pipeline's declarations.
 */
export function stageOf(stateName: string, stateType: string): string | null {
  const declared = PIPELINE_MACHINE.stageOfState.get(stateName);
  if (declared !== undefined) return declared;
  if (stateType === 'Map' || stateType === 'Parallel') return null;
  for (const stage of STAGES) if (stage.words?.test(stateName)) return stage.id;
  return stateType === 'Task' ? kebab(stateName) : null;
}

function kebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .toLowerCase();
}
