import { type RedriveStart, redriveStart } from '../../model/redrive-start.js';
import type { GraphModel } from './graph-model.js';
import type { WireHistoryEvent } from './sfn-api.js';

/** Where a redrive of this run would resume, judged on the run's own definition (its graph). */
export function redriveStartOnGraph(
  events: readonly WireHistoryEvent[],
  graph: GraphModel,
): RedriveStart | null {
  const topLevel = new Map(graph.nodes.filter((n) => n.parent === null).map((n) => [n.name, n.kind]));
  return redriveStart(events, topLevel);
}
