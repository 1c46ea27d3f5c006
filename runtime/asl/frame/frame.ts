import { HistoryCursor } from '../history/history-cursor.js';
import type { QueryLanguage } from '../query/query-language.js';
import { type ContextObject, cloneContext } from './context-object.js';
import type { ExecutionServices } from './execution-services.js';
import { VariableScope } from './variable-scope.js';

/**
 * The evaluation frame of one thread of work: the top-level program, a Map iteration or a
 * Parallel branch. Each has its own history cursor, variable scope and context object.
 */
export class Frame {
  constructor(
    readonly services: ExecutionServices,
    readonly cursor: HistoryCursor,
    readonly variables: VariableScope,
    public context: ContextObject,
    readonly defaultQueryLanguage: QueryLanguage,
  ) {}

  /** A child frame; `thread` names it when it is a Map iteration or Parallel branch of its own. */
  fork(queryLanguage: QueryLanguage = this.defaultQueryLanguage, thread?: string): Frame {
    return new Frame(
      this.services,
      this.cursor.fork(thread),
      this.variables.child(),
      cloneContext(this.context),
      queryLanguage,
    );
  }

  /** A frame sharing this one's variables and context but with a cursor of its own. */
  withCursor(cursor: HistoryCursor): Frame {
    return new Frame(this.services, cursor, this.variables, this.context, this.defaultQueryLanguage);
  }

  static root(services: ExecutionServices, context: ContextObject, queryLanguage: QueryLanguage): Frame {
    return new Frame(services, new HistoryCursor(), new VariableScope(), context, queryLanguage);
  }
}
