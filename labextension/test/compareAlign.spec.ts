/** Compare panes: B's boxes sit where their matches sit in A. */
import ELK from 'elkjs/lib/elk.bundled.js';
import { alignBoxes, alignToPaneA, GAP } from '../src/layout/compareAlign';
import { type ElkLike, runElkLayout } from '../src/layout/elkGraph';
import { layoutInputFromVisible } from '../src/layout/fromModel';
import { diffGraphs } from '../src/model/diff';
import { buildGraphModel } from '../src/model/graphModel';
import { buildScopeTree, expandedAtDepth } from '../src/model/scopeTree';
import { buildVisibleGraph, groupItemId } from '../src/model/visibleGraph';
import type { GraphPayload } from '../src/protocol';
import type { LayoutDirection, LayoutResult } from '../src/layout/messages';
import { DEFAULT_SETTINGS, initialExpanded } from '../src/model/settings';
import penaltyStep from './fixtures/penalty_step.json';
import penaltyOptimized from './fixtures/penalty_step_optimized.json';
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
    const y = (r: typeof aligned, id: string) =>
      r.nodes.find(n => n.id === id)!.y;
    for (const id of ['x', 'a', 'd', 'out']) {
      expect(x(aligned, id)).toBeCloseTo(x(a.layout, id));
      expect(y(aligned, id)).toBeCloseTo(y(a.layout, id));
    }
    // B is drawn at least as large as A, so both panes open on the same view.
    expect(aligned.width).toBeGreaterThanOrEqual(a.layout.width);
    expect(aligned.height).toBeGreaterThanOrEqual(a.layout.height);
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
  it("moves each band's members to their matches, the bands to A's bands", async () => {
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
    // Matched members sit at the same place across the flow too.
    for (const id of [
      layer2,
      groupItemId('forward/0'),
      groupItemId('backward ∇/∇ 0'),
      'loss'
    ]) {
      expect(at(aligned, id).y).toBeCloseTo(at(a.layout, id).y);
    }
    // The bands take A's places and span every member they hold.
    for (const f of b.layout.frames ?? []) {
      if (b.vg.bandOfFrame.has(f.id)) {
        const g = at(aligned, f.id);
        expect(g.y).toBeCloseTo(at(a.layout, f.id).y);
        expect(g.x).toBe(f.x);
        for (const n of aligned.nodes) {
          if (n.y >= g.y && n.y < g.y + g.height) {
            expect(n.x + n.width).toBeLessThanOrEqual(g.x + g.width + 0.5);
            expect(n.y + n.height).toBeLessThanOrEqual(g.y + g.height + 0.5);
          }
        }
      }
    }
  });
});

/** Both panes of a real comparison: a training step whose loss has a redundant penalty, before and after vf.optimize. */
async function openedPane(p: GraphPayload, direction: LayoutDirection) {
  const model = buildGraphModel(p);
  const tree = buildScopeTree(model);
  const vg = buildVisibleGraph(
    model,
    tree,
    initialExpanded(tree, DEFAULT_SETTINGS)
  );
  const layout = await runElkLayout(elk, layoutInputFromVisible(vg), {
    direction
  });
  return { model, vg, layout };
}

describe('alignToPaneA on a training step before and after vf.optimize', () => {
  it.each(['RIGHT', 'DOWN'] as const)(
    "puts every matched box of B at its match's place, along and across the flow (%s)",
    async direction => {
      const a = await openedPane(penaltyStep as GraphPayload, direction);
      const b = await openedPane(penaltyOptimized as GraphPayload, direction);
      const diff = diffGraphs(a.model, b.model);
      expect(diff.counts.removed).toBeGreaterThan(10);
      const aligned = alignToPaneA(a, b, diff, direction);
      const boxIn = (r: LayoutResult, id: string) =>
        r.nodes.find(n => n.id === id) ?? r.frames?.find(f => f.id === id);
      const band = (vg: typeof a.vg, id: string) => {
        let f = vg.itemById.get(id)?.parent ?? null;
        while (f !== null && !vg.bandOfFrame.has(f)) {
          f = vg.frames.find(x => x.id === f)?.parent ?? null;
        }
        return f;
      };
      let level = 0;
      let elsewhere = 0;
      for (const [nodeB, nodeA] of diff.matchBA) {
        const itemB = b.vg.repOf.get(nodeB)!;
        const itemA = a.vg.repOf.get(nodeA)!;
        // A constant folded out of the backward pass sits in another band: no place to share.
        if (band(b.vg, itemB) !== band(a.vg, itemA)) {
          elsewhere++;
          continue;
        }
        const p = boxIn(aligned, itemB)!;
        const q = boxIn(a.layout, itemA)!;
        // Within half a pixel (the item's id in the message when one is not).
        expect([
          itemB,
          Math.abs(p.x - q.x) < 0.5,
          Math.abs(p.y - q.y) < 0.5
        ]).toEqual([itemB, true, true]);
        level++;
      }
      expect(level).toBeGreaterThan(40);
      expect(elsewhere).toBeLessThan(5);
      // No two of B's boxes overlap after the moves.
      for (const p of aligned.nodes) {
        for (const q of aligned.nodes) {
          if (p !== q) {
            const apart =
              p.x + p.width <= q.x ||
              q.x + q.width <= p.x ||
              p.y + p.height <= q.y ||
              q.y + q.height <= p.y;
            expect([p.id, q.id, apart]).toEqual([p.id, q.id, true]);
          }
        }
      }
      // Both panes are the same size, so they open on the same view.
      expect([aligned.width, aligned.height]).toEqual([
        a.layout.width,
        a.layout.height
      ]);
    }
  );
});

describe('alignBoxes', () => {
  const box = (id: string, x: number, y: number) => ({
    id,
    x,
    y,
    width: 100,
    height: 40,
    ports: []
  });
  const at = (along: number, across = 0) => ({ along, across });
  const place = (out: { nodes: { id: string; x: number; y: number }[] }) =>
    Object.fromEntries(out.nodes.map(n => [n.id, [n.x, n.y]]));

  it('puts boxes at their targets; a box without one moves with the matched box before it', () => {
    // a and b share a layer; only a has a match. c is one layer on; d is not drawn here.
    const boxes = [box('a', 20, 0), box('b', 20, 60), box('c', 200, 0)];
    const out = alignBoxes(
      boxes,
      new Map([
        ['a', at(80, 10)],
        ['c', at(260, 30)],
        ['d', at(999)]
      ]),
      'RIGHT',
      20,
      120
    );
    expect(place(out)).toEqual({ a: [80, 10], b: [80, 70], c: [260, 30] });
    // The container's length and breadth hold every box, with its margins.
    expect(out.length).toBe(360 + 20);
    expect(out.breadth).toBe(110 + 20);
  });

  it('pushes a box along the flow past a box it would overlap', () => {
    const boxes = [box('a', 20, 0), box('c', 200, 0)];
    const out = alignBoxes(
      boxes,
      new Map([
        ['a', at(20)],
        ['c', at(50)]
      ]),
      'RIGHT',
      20,
      60
    );
    expect(place(out)).toEqual({ a: [20, 0], c: [20 + 100 + GAP, 0] });
  });

  it('puts an added box in the gap its matched neighbours leave', () => {
    // B's layer: p, n (added), q; in A, p sat at 0 and q at 120, with room between.
    const boxes = [box('p', 20, 0), box('n', 20, 60), box('q', 20, 200)];
    const out = alignBoxes(
      boxes,
      new Map([
        ['p', at(20, 0)],
        ['q', at(20, 120)]
      ]),
      'RIGHT',
      20,
      260
    );
    expect(place(out)).toEqual({ p: [20, 0], n: [20, 60], q: [20, 120] });
  });

  it('never overlaps: an added box with no room goes on along the flow', () => {
    const boxes = [box('p', 20, 0), box('n', 20, 60), box('q', 20, 120)];
    const out = alignBoxes(
      boxes,
      new Map([
        ['p', at(20, 0)],
        ['q', at(20, 50)]
      ]),
      'RIGHT',
      20,
      160
    );
    // q's place is too near p: q goes on past p; n (with p's shift) fits beside p.
    expect(place(out)).toEqual({
      p: [20, 0],
      q: [20 + 100 + GAP, 50],
      n: [20, 60]
    });
  });

  it('aligns across the flow in a downward flow too (x across)', () => {
    const boxes = [box('p', 0, 20), box('q', 150, 20)];
    const out = alignBoxes(
      boxes,
      new Map([
        ['p', at(20, 30)],
        ['q', at(20, 300)]
      ]),
      'DOWN',
      20,
      250
    );
    expect(place(out)).toEqual({ p: [30, 20], q: [300, 20] });
  });
});
