import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildGraphModel } from '../../../../console/server/graph-model.js';
import { layoutGraph, type PlacedNode } from '../../../../console/ui/graph-layout.js';

const pipelineAsl = readFileSync(
  new URL('../../../../statemachines/pipeline.asl.json', import.meta.url),
  'utf8',
);
const inside = (inner: PlacedNode, outer: PlacedNode) =>
  inner.x >= outer.x &&
  inner.y >= outer.y &&
  inner.x + inner.width <= outer.x + outer.width &&
  inner.y + inner.height <= outer.y + outer.height;
const overlap = (a: PlacedNode, b: PlacedNode) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('layoutGraph', () => {
  it('places every state, keeps the Map iteration inside the Map and lets no siblings overlap', async () => {
    // Arrange
    const model = buildGraphModel(pipelineAsl);
    // Act
    const layout = await layoutGraph(model);
    // Assert
    expect(layout.nodes.map((n) => n.id).sort()).toEqual(model.nodes.map((n) => n.id).sort());
    const map = layout.nodes.find((n) => n.id === 'Environments')!;
    expect(map.container).toBe(true);
    const children = layout.nodes.filter((n) => n.parent === 'Environments');
    for (const child of children) expect(inside(child, map), child.id).toBe(true);
    const groups = new Map<string | null, PlacedNode[]>();
    for (const n of layout.nodes) groups.set(n.parent, [...(groups.get(n.parent) ?? []), n]);
    for (const siblings of groups.values()) {
      for (let i = 0; i < siblings.length; i++)
        for (let j = i + 1; j < siblings.length; j++)
          expect(overlap(siblings[i], siblings[j]), `${siblings[i].id} / ${siblings[j].id}`).toBe(false);
    }
    for (const node of layout.nodes) {
      expect(node.x + node.width).toBeLessThanOrEqual(layout.width + 0.001);
      expect(node.y + node.height).toBeLessThanOrEqual(layout.height + 0.001);
    }
  });

  it('routes each edge from its source box to its target box, in absolute coordinates', async () => {
    // Arrange
    const model = buildGraphModel(pipelineAsl);
    // Act
    const layout = await layoutGraph(model);
    // Assert
    const byId = new Map(layout.nodes.map((n) => [n.id, n]));
    const near = (p: { x: number; y: number }, n: PlacedNode) =>
      p.x >= n.x - 1 && p.x <= n.x + n.width + 1 && p.y >= n.y - 1 && p.y <= n.y + n.height + 1;
    expect(layout.edges).toHaveLength(model.edges.length);
    for (const edge of layout.edges) {
      expect(edge.points.length, edge.id).toBeGreaterThanOrEqual(2);
      expect(near(edge.points[0], byId.get(edge.from)!), `${edge.id} start`).toBe(true);
      expect(near(edge.points.at(-1)!, byId.get(edge.to)!), `${edge.id} end`).toBe(true);
    }
    expect(layout.edges.filter((e) => e.dashed).every((e) => e.kind === 'catch')).toBe(true);
  });
});
