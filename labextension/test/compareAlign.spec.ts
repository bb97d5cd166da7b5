/** Compare panes: B's boxes sit where their matches sit in A. */
import ELK from 'elkjs/lib/elk.bundled.js';
import { alignColumns, alignToPaneA } from '../src/layout/compareAlign';
import { type ElkLike, runElkLayout } from '../src/layout/elkGraph';
import { layoutInputFromVisible } from '../src/layout/fromModel';
import { diffGraphs } from '../src/model/diff';
import { buildGraphModel } from '../src/model/graphModel';
import { buildScopeTree, expandedAtDepth } from '../src/model/scopeTree';
import { buildVisibleGraph, groupItemId } from '../src/model/visibleGraph';
import type { GraphPayload } from '../src/protocol';
import { Builder, trainingStep } from './shapes';

const elk = new ELK() as unknown as ElkLike;

/** x → a → b → c → d → out, and the optimised form with b and c fused into one node. */
function chain(fused: boolean): GraphPayload {
  const g = new Builder();
  const ids = fused
    ? ['x', 'a', 'bc', 'd', 'out']
    : ['x', 'a', 'b', 'c', 'd', 'out'];
  ids.forEach((id, i) => {
    g.add(id, id === 'bc' ? 'fused' : 'relu', { name: id });
    if (i > 0) {
      g.link(ids[i - 1], id);
    }
  });
  return g.payload(fused ? 'after' : 'before');
}

async function pane(p: GraphPayload) {
  const model = buildGraphModel(p);
  const vg = buildVisibleGraph(model, buildScopeTree(model), new Set());
  const layout = await runElkLayout(elk, layoutInputFromVisible(vg), {
    direction: 'RIGHT'
  });
  return { model, vg, layout };
}

describe('alignToPaneA', () => {
  it('puts each matched node of B where its match is in A, keeping order', async () => {
    const a = await pane(chain(false));
    const b = await pane(chain(true));
    const diff = diffGraphs(a.model, b.model);
    const aligned = alignToPaneA(a, b, diff, 'RIGHT');
    const x = (r: typeof aligned, id: string) =>
      r.nodes.find(n => n.id === id)!.x;
    for (const id of ['x', 'a', 'd', 'out']) {
      expect(x(aligned, id)).toBeCloseTo(x(a.layout, id));
    }
    // Before alignment, d and out sat one step further left than in A.
    expect(x(b.layout, 'd')).toBeLessThan(x(a.layout, 'd'));
    const xs = ['x', 'a', 'bc', 'd', 'out'].map(id => x(aligned, id));
    expect([...xs].sort((p, q) => p - q)).toEqual(xs);
  });
});

/** A training step, and the same step with its ReLU layer gone (B). */
function stepWithoutRelu(): GraphPayload {
  const p = trainingStep();
  const gone = new Set(['relu1', 'g_relu1']);
  const edges = p.edges.filter(e => !gone.has(e.source) && !gone.has(e.target));
  edges.push(
    { ...p.edges[0], id: 'skip_f', source: 'add0', target: 'mm2' },
    { ...p.edges[0], id: 'skip_b', source: 'g_mm2', target: 'g_add0' }
  );
  return {
    ...p,
    title: 'without relu',
    nodes: p.nodes.filter(n => !gone.has(n.id)),
    edges
  };
}

async function bandedPane(p: GraphPayload) {
  const model = buildGraphModel(p);
  const tree = buildScopeTree(model);
  const vg = buildVisibleGraph(model, tree, expandedAtDepth(tree, 0));
  const layout = await runElkLayout(elk, layoutInputFromVisible(vg), {
    direction: 'RIGHT'
  });
  return { model, vg, layout };
}

describe('alignToPaneA in phase bands', () => {
  it("moves each band's members to their matches, the bands staying put", async () => {
    const a = await bandedPane(trainingStep());
    const b = await bandedPane(stepWithoutRelu());
    expect(b.vg.bandOfFrame.size).toBe(3);
    const diff = diffGraphs(a.model, b.model);
    const aligned = alignToPaneA(a, b, diff, 'RIGHT');
    const at = (r: typeof aligned, id: string) =>
      (r.nodes.find(n => n.id === id) ?? r.frames?.find(f => f.id === id))!;
    const layer2 = groupItemId('forward/2');
    // Without the ReLU, B's second Linear sat further left than A's; now level.
    expect(at(b.layout, layer2).x).toBeLessThan(at(a.layout, layer2).x - 1);
    expect(at(aligned, layer2).x).toBeCloseTo(at(a.layout, layer2).x);
    expect(at(aligned, 'loss').x).toBeCloseTo(at(a.layout, 'loss').x);
    // The bands keep their place across the flow and span every member.
    for (const f of b.layout.frames ?? []) {
      if (b.vg.bandOfFrame.has(f.id)) {
        const g = at(aligned, f.id);
        expect(g.y).toBe(f.y);
        expect(g.x).toBe(f.x);
        for (const n of aligned.nodes) {
          if (n.y >= g.y && n.y < g.y + g.height) {
            expect(n.x + n.width).toBeLessThanOrEqual(g.x + g.width + 0.5);
          }
        }
      }
    }
  });
});

describe('alignColumns', () => {
  const box = (id: string, x: number, y: number) => ({
    id,
    x,
    y,
    width: 100,
    height: 40,
    ports: []
  });

  it('moves a layer as one column, by the shift most of its boxes ask for', () => {
    // a and b share a layer; b's match sits far away (a folded constant), c is one layer on.
    const boxes = [box('a', 20, 0), box('b', 20, 60), box('c', 200, 0)];
    const out = alignColumns(
      boxes,
      new Map([
        ['a', 80],
        ['c', 260],
        ['d', 999]
      ]),
      'RIGHT',
      20
    );
    const x = (id: string) => out.nodes.find(n => n.id === id)!.x;
    expect([x('a'), x('b'), x('c')]).toEqual([80, 80, 260]);
    const split = alignColumns(
      boxes,
      new Map([
        ['a', 20],
        ['b', 900]
      ]),
      'RIGHT',
      20
    );
    // One vote each: the smaller shift wins; the layer stays together, c keeps its gap.
    expect(split.nodes.map(n => n.x)).toEqual([20, 20, 200]);
  });

  it('keeps the flow order: a column never overlaps the one before', () => {
    const boxes = [box('a', 20, 0), box('c', 200, 0)];
    const out = alignColumns(boxes, new Map([['c', 0]]), 'RIGHT', 20);
    const [a, c] = out.nodes;
    expect(c.x).toBeGreaterThanOrEqual(a.x + a.width + 30);
  });
});
