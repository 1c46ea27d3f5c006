import ElkModule from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import type { GraphEdge, GraphModel, GraphNode } from '../server/graph-model.js';

/**
 * The one place the console positions the state machine: ELK's layered algorithm does it, never
 * hand-placed coordinates. Containers (Map, Parallel branches) are laid out with their children,
 * and every coordinate returned is absolute, ready to draw.
 */
export interface PlacedNode extends GraphNode {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly container: boolean;
}

interface PlacedEdge extends GraphEdge {
  readonly points: ReadonlyArray<{ readonly x: number; readonly y: number }>;
  readonly labelAt: { readonly x: number; readonly y: number } | null;
}

export interface GraphLayout {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly PlacedEdge[];
}

const NODE_HEIGHT = 34;
const CHAR_WIDTH = 7.2;
const LAYOUT_OPTIONS = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.layered.spacing.nodeNodeBetweenLayers': '28',
  'elk.spacing.nodeNode': '22',
  'elk.spacing.edgeLabel': '4',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
};
const CONTAINER_OPTIONS = { ...LAYOUT_OPTIONS, 'elk.padding': '[top=30,left=14,bottom=14,right=14]' };

// The bundle is CommonJS whose module.exports is the constructor; NodeNext types see a namespace.
const Elk = ElkModule as unknown as new () => { layout(graph: ElkNode): Promise<ElkNode> };
let elk: InstanceType<typeof Elk> | null = null;

export async function layoutGraph(model: GraphModel): Promise<GraphLayout> {
  elk ??= new Elk();
  const byId = new Map(model.nodes.map((n) => [n.id, n]));
  const childrenOf = new Map<string | null, GraphNode[]>();
  for (const node of model.nodes) {
    const list = childrenOf.get(node.parent) ?? [];
    list.push(node);
    childrenOf.set(node.parent, list);
  }
  const edgesIn = new Map<string | null, GraphEdge[]>();
  for (const edge of model.edges) {
    const list = edgesIn.get(edge.container) ?? [];
    list.push(edge);
    edgesIn.set(edge.container, list);
  }
  const toElk = (node: GraphNode): ElkNode => {
    const children = childrenOf.get(node.id);
    const base: ElkNode = { id: node.id };
    if (!children) {
      return {
        ...base,
        width: Math.max(84, Math.ceil(node.name.length * CHAR_WIDTH) + 26),
        height: NODE_HEIGHT,
      };
    }
    return {
      ...base,
      layoutOptions: CONTAINER_OPTIONS,
      labels: [{ text: node.name, width: node.name.length * CHAR_WIDTH, height: 14 }],
      children: children.map(toElk),
      edges: (edgesIn.get(node.id) ?? []).map(toElkEdge),
    };
  };
  const root: ElkNode = {
    id: '__root__',
    layoutOptions: LAYOUT_OPTIONS,
    children: (childrenOf.get(null) ?? []).map(toElk),
    edges: (edgesIn.get(null) ?? []).map(toElkEdge),
  };
  const laid = await elk.layout(root);

  const nodes: PlacedNode[] = [];
  const edges: PlacedEdge[] = [];
  const edgeById = new Map(model.edges.map((e) => [e.id, e]));
  // ELK gives a child's position relative to its parent, and an edge's relative to the node that
  // holds it; offsets accumulate down the tree.
  const walk = (node: ElkNode, ox: number, oy: number) => {
    for (const edge of node.edges ?? []) {
      const source = edgeById.get(edge.id);
      if (!source) continue;
      const section = edge.sections?.[0];
      const points = section
        ? [section.startPoint, ...(section.bendPoints ?? []), section.endPoint].map((p) => ({
            x: p.x + ox,
            y: p.y + oy,
          }))
        : [];
      const label = edge.labels?.[0];
      edges.push({
        ...source,
        points,
        labelAt: label && label.x !== undefined ? { x: (label.x ?? 0) + ox, y: (label.y ?? 0) + oy } : null,
      });
    }
    for (const child of node.children ?? []) {
      const source = byId.get(child.id);
      const x = (child.x ?? 0) + ox;
      const y = (child.y ?? 0) + oy;
      if (source) {
        nodes.push({
          ...source,
          x,
          y,
          width: child.width ?? 0,
          height: child.height ?? 0,
          container: (child.children?.length ?? 0) > 0,
        });
      }
      walk(child, x, y);
    }
  };
  walk(laid, 0, 0);
  return { width: laid.width ?? 0, height: laid.height ?? 0, nodes, edges };
}

function toElkEdge(edge: GraphEdge): ElkExtendedEdge {
  return {
    id: edge.id,
    sources: [edge.from],
    targets: [edge.to],
    ...(edge.label ? { labels: [{ text: edge.label, width: edge.label.length * 6, height: 12 }] } : {}),
  };
}
