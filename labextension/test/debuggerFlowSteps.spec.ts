/**
 * A debugger step changes node marks only: the edge list handed to React Flow
 * stays the same object (it then skips rebuilding every edge's connections),
 * while the marked nodes are new.
 */
import { buildGraphModel } from '../src/model/graphModel';
import { buildScopeTree } from '../src/model/scopeTree';
import { buildVisibleGraph } from '../src/model/visibleGraph';
import type { LayoutResult } from '../src/layout/messages';
import { flowElements, newFlowReuse } from '../src/view/flowElements';
import type { DebugMark } from '../src/view/OpNode';
import { smallGraph } from './fixtures';

const model = buildGraphModel(smallGraph());
const vg = buildVisibleGraph(model, buildScopeTree(model), new Set());
const layout: LayoutResult = {
  nodes: vg.items.map((item, i) => ({
    id: item.id,
    x: i * 100,
    y: 0,
    width: 80,
    height: 40,
    ports: [
      { id: 'in0', x: 0, y: 20 },
      { id: 'out', x: 80, y: 20 }
    ]
  })),
  width: 1000,
  height: 40
};

function at(current: string): Map<string, DebugMark> {
  return new Map([
    [current, { state: 'current', note: '', breakpoint: false }]
  ]);
}

function elements(debug: Map<string, DebugMark>, reuse = newFlowReuse()) {
  return flowElements(
    vg,
    layout,
    'RIGHT',
    model.outputs,
    {
      selected: null,
      linked: new Set<string>(),
      overlay: new Map<string, string>(),
      onExpand: () => undefined,
      onCollapse: () => undefined,
      debug
    },
    reuse
  );
}

describe('flowElements across debugger steps', () => {
  it('hands back the same edge list when only node marks changed', () => {
    const reuse = newFlowReuse();
    const [first, second] = [vg.items[0].id, vg.items[1].id];
    const a = elements(at(first), reuse);
    const b = elements(at(second), reuse);
    expect(a.edges.length).toBeGreaterThan(0);
    expect(b.edges).toBe(a.edges);
    expect(b.nodes).not.toBe(a.nodes);
    const moved = b.nodes.find(n => n.id === second);
    expect(moved).not.toBe(a.nodes.find(n => n.id === second));
  });

  it('hands back a new edge list when the edges changed', () => {
    const reuse = newFlowReuse();
    const a = elements(at(vg.items[0].id), reuse);
    const other = flowElements(
      vg,
      { ...layout, nodes: layout.nodes.slice(0, -1) },
      'RIGHT',
      model.outputs,
      {
        selected: null,
        linked: new Set<string>(),
        overlay: new Map<string, string>(),
        onExpand: () => undefined,
        onCollapse: () => undefined
      },
      reuse
    );
    expect(other.edges.length).toBeLessThan(a.edges.length);
    expect(other.edges).not.toBe(a.edges);
    expect(elements(at(vg.items[0].id), reuse).edges).not.toBe(other.edges);
  });
});
