/** Compare panes: B's boxes sit where their matches sit in A. */
import ELK from 'elkjs/lib/elk.bundled.js';
import { alignToPaneA } from '../src/layout/compareAlign';
import { type ElkLike, runElkLayout } from '../src/layout/elkGraph';
import { layoutInputFromVisible } from '../src/layout/fromModel';
import { diffGraphs } from '../src/model/diff';
import { buildGraphModel } from '../src/model/graphModel';
import { buildScopeTree } from '../src/model/scopeTree';
import { buildVisibleGraph } from '../src/model/visibleGraph';
import type { GraphPayload } from '../src/protocol';
import { Builder } from './shapes';

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
