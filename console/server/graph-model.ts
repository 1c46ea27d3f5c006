import { GraphModelError } from './errors.js';

/**
 * The state machine as a graph to draw: one node per state (Map and Parallel states are containers
 * whose children are their iteration's or branches' states), one edge per transition. It is built
 * from the ASL alone, so the picture cannot drift from what the engine runs.
 */
const NodeKind = {
  Start: 'Start',
  End: 'End',
  Task: 'Task',
  Pass: 'Pass',
  Choice: 'Choice',
  Wait: 'Wait',
  Succeed: 'Succeed',
  Fail: 'Fail',
  Map: 'Map',
  Parallel: 'Parallel',
  Branch: 'Branch',
} as const;
type NodeKind = (typeof NodeKind)[keyof typeof NodeKind];

const EdgeKind = {
  Start: 'start',
  Next: 'next',
  Choice: 'choice',
  Default: 'default',
  Catch: 'catch',
  End: 'end',
} as const;
type EdgeKind = (typeof EdgeKind)[keyof typeof EdgeKind];

export interface GraphNode {
  /** Path of state names from the top, joined by "/" (a Parallel branch adds `#<index>`). */
  readonly id: string;
  readonly name: string;
  readonly kind: NodeKind;
  /** The container node (Map, Parallel branch) or null at the top level. */
  readonly parent: string | null;
  readonly comment?: string;
  /** The first state of its container. */
  readonly start: boolean;
  /** Ends its container (End: true, Succeed or Fail). */
  readonly terminal: boolean;
}

export interface GraphEdge {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  /** Both ends live in this container (null: the top level); edges never cross containers. */
  readonly container: string | null;
  readonly label?: string;
  /** Catch edges are drawn dashed: they are taken only when a state fails. */
  readonly dashed: boolean;
}

export interface GraphModel {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

export const START_NODE = '__start__';
export const END_NODE = '__end__';

const STATE_TYPES = new Set(['Task', 'Pass', 'Choice', 'Wait', 'Succeed', 'Fail', 'Map', 'Parallel']);
const LABEL_MAX = 40;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses ASL text (or an already parsed definition) into the graph; throws GraphModelError. */
export function buildGraphModel(asl: string | Json): GraphModel {
  let definition: unknown = asl;
  if (typeof asl === 'string') {
    try {
      definition = JSON.parse(asl);
    } catch (error) {
      throw new GraphModelError(`ASL is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (!isObject(definition)) throw new GraphModelError('ASL must be a JSON object with StartAt and States');
  const nodes: GraphNode[] = [
    { id: START_NODE, name: 'Start', kind: NodeKind.Start, parent: null, start: false, terminal: false },
  ];
  const edges: GraphEdge[] = [];
  const top = addMachine(definition, null, 'the state machine', nodes, edges);
  nodes.push({ id: END_NODE, name: 'End', kind: NodeKind.End, parent: null, start: false, terminal: false });
  edges.push(edge(START_NODE, top.startId, EdgeKind.Start, null));
  for (const id of top.terminalIds) edges.push(edge(id, END_NODE, EdgeKind.End, null));
  return { nodes, edges: edges.map((e, i) => ({ ...e, id: `${e.id}:${i}` })) };
}

function edge(from: string, to: string, kind: EdgeKind, container: string | null, label?: string): GraphEdge {
  return {
    // Two rules of one Choice may lead to the same state, so the id is made unique when added.
    id: `${from}->${to}:${kind}`,
    from,
    to,
    kind,
    container,
    ...(label ? { label } : {}),
    dashed: kind === EdgeKind.Catch,
  };
}

/** Adds one StartAt/States scope; returns its start node and the nodes that end it. */
function addMachine(
  machine: Json,
  parent: string | null,
  scopeName: string,
  nodes: GraphNode[],
  edges: GraphEdge[],
): { startId: string; terminalIds: string[] } {
  const states = machine.States;
  if (!isObject(states) || Object.keys(states).length === 0) {
    throw new GraphModelError(`${scopeName} needs a non-empty States object`);
  }
  const startAt = machine.StartAt;
  if (typeof startAt !== 'string' || !(startAt in states)) {
    throw new GraphModelError(`${scopeName}: StartAt ${JSON.stringify(startAt)} is not one of its States`);
  }
  const idOf = (name: string) => (parent ? `${parent}/${name}` : name);
  const target = (from: string, next: unknown, field: string): string => {
    if (typeof next !== 'string' || !(next in states)) {
      throw new GraphModelError(
        `state "${from}": ${field} ${JSON.stringify(next)} is not a state in ${scopeName}`,
      );
    }
    return idOf(next);
  };
  const terminalIds: string[] = [];
  for (const [name, raw] of Object.entries(states)) {
    if (!isObject(raw)) throw new GraphModelError(`state "${name}" must be an object`);
    const type = raw.Type;
    if (typeof type !== 'string' || !STATE_TYPES.has(type)) {
      throw new GraphModelError(`state "${name}" has unknown Type ${JSON.stringify(type)}`);
    }
    const id = idOf(name);
    const terminal = raw.End === true || type === 'Succeed' || type === 'Fail';
    nodes.push({
      id,
      name,
      kind: type as NodeKind,
      parent,
      ...(typeof raw.Comment === 'string' ? { comment: raw.Comment } : {}),
      start: name === startAt,
      terminal,
    });
    if (terminal) terminalIds.push(id);
    if (type === 'Choice') {
      const choices = raw.Choices;
      if (!Array.isArray(choices) || choices.length === 0) {
        throw new GraphModelError(`Choice state "${name}" needs a non-empty Choices array`);
      }
      choices.forEach((rule, i) => {
        const next = isObject(rule) ? rule.Next : undefined;
        edges.push(
          edge(id, target(name, next, `Choices[${i}].Next`), EdgeKind.Choice, parent, ruleLabel(rule)),
        );
      });
      if (raw.Default !== undefined) {
        edges.push(edge(id, target(name, raw.Default, 'Default'), EdgeKind.Default, parent, 'default'));
      }
    } else if (!terminal) {
      edges.push(edge(id, target(name, raw.Next, 'Next'), EdgeKind.Next, parent));
    }
    if (Array.isArray(raw.Catch)) {
      raw.Catch.forEach((catcher, i) => {
        const next = isObject(catcher) ? catcher.Next : undefined;
        const errors =
          isObject(catcher) && Array.isArray(catcher.ErrorEquals) ? catcher.ErrorEquals.join(', ') : '';
        edges.push(edge(id, target(name, next, `Catch[${i}].Next`), EdgeKind.Catch, parent, shorten(errors)));
      });
    }
    if (type === 'Map') {
      const processor = raw.ItemProcessor ?? raw.Iterator;
      if (!isObject(processor)) throw new GraphModelError(`Map state "${name}" has no ItemProcessor`);
      addMachine(processor, id, `Map state "${name}"`, nodes, edges);
    }
    if (type === 'Parallel') {
      const branches = raw.Branches;
      if (!Array.isArray(branches) || branches.length === 0) {
        throw new GraphModelError(`Parallel state "${name}" needs a non-empty Branches array`);
      }
      branches.forEach((branch, i) => {
        if (!isObject(branch))
          throw new GraphModelError(`Parallel state "${name}": branch ${i} must be an object`);
        const branchId = `${id}#${i}`;
        nodes.push({
          id: branchId,
          name: `branch ${i + 1}`,
          kind: NodeKind.Branch,
          parent: id,
          start: false,
          terminal: false,
        });
        addMachine(branch, branchId, `branch ${i + 1} of Parallel state "${name}"`, nodes, edges);
      });
    }
  }
  return { startId: idOf(startAt), terminalIds };
}

/** A Choice rule's condition, short enough for an edge label. */
function ruleLabel(rule: unknown): string | undefined {
  if (!isObject(rule)) return undefined;
  if (typeof rule.Condition === 'string') return shorten(rule.Condition.replace(/^\{%\s*|\s*%\}$/g, ''));
  const variable = typeof rule.Variable === 'string' ? rule.Variable : '';
  const operator = Object.keys(rule).find(
    (k) => !['Variable', 'Next', 'Comment', 'Assign', 'Output'].includes(k),
  );
  if (!operator) return undefined;
  const value = rule[operator];
  return shorten(`${variable} ${operator} ${typeof value === 'object' ? '…' : String(value)}`.trim());
}

function shorten(text: string): string {
  return text.length > LABEL_MAX ? `${text.slice(0, LABEL_MAX - 1)}…` : text;
}
