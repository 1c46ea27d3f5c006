import type { GraphModel } from '../server/graph-model.js';
import { h, svg } from './dom.js';
import { layoutGraph } from './graph-layout.js';

/**
 * Draws the laid-out state machine as SVG, each state coloured by how it fared in this run. Status
 * is also in each state's accessible name, so it does not rest on colour alone.
 */
export async function graphView(model: GraphModel, status: Record<string, string>): Promise<HTMLElement> {
  const layout = await layoutGraph(model);
  const pad = 8;
  const root = svg('svg', {
    viewBox: `${-pad} ${-pad} ${layout.width + 2 * pad} ${layout.height + 2 * pad}`,
    // Fit the width of the page; the scroll box and the browser's zoom give the detail back.
    width: '100%',
    preserveAspectRatio: 'xMidYMin meet',
    role: 'img',
    'aria-label': 'State machine graph',
    class: 'graph',
  });
  root.append(
    svg(
      'defs',
      {},
      svg(
        'marker',
        {
          id: 'arrow',
          viewBox: '0 0 10 10',
          refX: 9,
          refY: 5,
          markerWidth: 7,
          markerHeight: 7,
          orient: 'auto-start-reverse',
        },
        svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow' }),
      ),
    ),
  );
  for (const node of layout.nodes.filter((n) => n.container)) {
    const s = status[node.id] ?? 'not-run';
    root.append(
      svg(
        'g',
        { class: `node container st-${s}`, 'data-node': node.id },
        svg('title', {}, `${node.name} (${node.kind}): ${s}`),
        svg('rect', { x: node.x, y: node.y, width: node.width, height: node.height, rx: 8 }),
        svg('text', { x: node.x + 10, y: node.y + 18 }, `${node.name} · ${node.kind}`),
      ),
    );
  }
  for (const edge of layout.edges) {
    if (edge.points.length < 2) continue;
    const d = edge.points.map((p, i) => `${i === 0 ? 'M' : 'L'} ${p.x} ${p.y}`).join(' ');
    const g = svg(
      'g',
      { class: `edge e-${edge.kind}` },
      svg('path', { d, 'marker-end': 'url(#arrow)', ...(edge.dashed ? { 'stroke-dasharray': '5 4' } : {}) }),
    );
    if (edge.label && edge.labelAt)
      g.append(svg('text', { x: edge.labelAt.x, y: edge.labelAt.y + 10, class: 'edge-label' }, edge.label));
    root.append(g);
  }
  for (const node of layout.nodes.filter((n) => !n.container)) {
    const s = status[node.id] ?? 'not-run';
    const round =
      node.kind === 'Start' || node.kind === 'End' ? node.height / 2 : node.kind === 'Choice' ? 14 : 4;
    root.append(
      svg(
        'g',
        { class: `node st-${s} k-${node.kind.toLowerCase()}`, 'data-node': node.id, 'data-status': s },
        svg('title', {}, `${node.name} (${node.kind}): ${s}${node.comment ? ` — ${node.comment}` : ''}`),
        svg('rect', { x: node.x, y: node.y, width: node.width, height: node.height, rx: round }),
        svg(
          'text',
          { x: node.x + node.width / 2, y: node.y + node.height / 2 + 4, 'text-anchor': 'middle' },
          node.name,
        ),
      ),
    );
  }
  const legend = h(
    'p',
    { class: 'legend' },
    ...['succeeded', 'failed', 'running', 'not-run'].map((s) =>
      h('span', { class: `key st-${s}` }, s.replace('-', ' ')),
    ),
    h('span', { class: 'key dashed' }, 'catch (on error)'),
  );
  // A pipeline has a hundred states: fitted to the page they are a map, at actual size they are
  // readable. Fitted is the default so the whole flow shows at once; the button swaps.
  const natural = String(layout.width + 2 * pad);
  const scroller = h('div', { class: 'graph-scroll', tabindex: 0, 'aria-label': 'Graph, scrollable' }, root);
  const zoom = h('button', { type: 'button', 'aria-pressed': 'false' }, 'Actual size');
  zoom.addEventListener('click', () => {
    const actual = zoom.getAttribute('aria-pressed') !== 'true';
    root.setAttribute('width', actual ? natural : '100%');
    zoom.setAttribute('aria-pressed', String(actual));
    zoom.textContent = actual ? 'Fit to width' : 'Actual size';
    if (actual) {
      // Bring the state that matters into view: the failure, else where the run is now.
      const focus =
        root.querySelector('g[data-status="failed"]') ?? root.querySelector('g[data-status="running"]');
      (focus as SVGGElement | null)?.scrollIntoView({ block: 'center', inline: 'center' });
    }
  });
  return h('div', { class: 'graph-wrap' }, h('div', { class: 'graph-tools' }, legend, zoom), scroller);
}
