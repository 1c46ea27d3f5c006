import { StateProgram } from '../asl/program/state-program.js';
import type { StatesBlock } from '../asl/program/states-block.js';
import { isQueryLanguage, QueryLanguage } from '../asl/query/query-language.js';

/** A state machine definition parsed and compiled once, shared by every execution of it. */
export interface CompiledMachine {
  readonly program: StateProgram;
  readonly queryLanguage: QueryLanguage;
  readonly timeoutSeconds: number | undefined;
}

/** Enough for every version a local engine runs at once; older ones are compiled again if used. */
const MAX_CACHED = 64;

/**
 * Compiled programs keyed by definition text (one per state-machine version, since a version's
 * definition never changes). Programs hold no per-execution state (Retry counters, cursors and
 * variables live in the run), so executions share them. The oldest compiled goes first.
 */
export class ProgramCache {
  private readonly compiled = new Map<string, CompiledMachine>();

  get(definitionText: string): CompiledMachine {
    const hit = this.compiled.get(definitionText);
    if (hit) return hit;
    const machine = compile(definitionText);
    this.compiled.set(definitionText, machine);
    if (this.compiled.size > MAX_CACHED) {
      const oldest = this.compiled.keys().next().value as string;
      this.compiled.delete(oldest);
    }
    return machine;
  }
}

function compile(definitionText: string): CompiledMachine {
  const definition = JSON.parse(definitionText) as StatesBlock & {
    QueryLanguage?: string;
    TimeoutSeconds?: number;
  };
  return {
    program: new StateProgram(definition),
    queryLanguage: isQueryLanguage(definition.QueryLanguage)
      ? definition.QueryLanguage
      : QueryLanguage.JSONPath,
    timeoutSeconds: typeof definition.TimeoutSeconds === 'number' ? definition.TimeoutSeconds : undefined,
  };
}
