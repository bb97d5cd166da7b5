import { buildGraphModel } from '../src/model/graphModel';
import { buildScopeTree } from '../src/model/scopeTree';
import { buildVisibleGraph } from '../src/model/visibleGraph';
import type { LayoutResult } from '../src/layout/messages';
import {
  flowElements,
  newFlowReuse,
  ROUNDED_FRAME_MAX_PX,
  squareFrame
} from '../src/view/flowElements';
import { smallGraph } from './fixtures';
import { trainingStep } from './shapes';
import { edgeTypes, LabelledEdge } from '../src/view/LabelledEdge';

const model = buildGraphModel(smallGraph());
const tree = buildScopeTree(model);
const vg = buildVisibleGraph(model, tree, new Set());
const deco = {
  selected: null,
  linked: new Set<string>(),
  overlay: new Map<string, string>(),
  onExpand: () => undefined,
  onCollapse: () => undefined
};

function layoutAt(dx: number): LayoutResult {
  return {
    nodes: vg.items.map((item, i) => ({
      id: item.id,
      x: dx + i * 100,
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
}

describe('flowElements reuse', () => {
  it('hands back the previous objects for unchanged elements', () => {
    const reuse = newFlowReuse();
    const a = flowElements(
      vg,
      layoutAt(0),
      'RIGHT',
      model.outputs,
      deco,
      reuse
    );
    const b = flowElements(
      vg,
      layoutAt(0),
      'RIGHT',
      model.outputs,
      deco,
      reuse
    );
    expect(a.nodes.length).toBeGreaterThan(0);
    expect(b.nodes).toHaveLength(a.nodes.length);
    b.nodes.forEach((n, i) => expect(n).toBe(a.nodes[i]));
    b.edges.forEach((e, i) => expect(e).toBe(a.edges[i]));
  });

  it('keeps the data of a moved node and rebuilds a changed one', () => {
    const reuse = newFlowReuse();
    const a = flowElements(
      vg,
      layoutAt(0),
      'RIGHT',
      model.outputs,
      deco,
      reuse
    );
    const b = flowElements(
      vg,
      layoutAt(7),
      'RIGHT',
      model.outputs,
      deco,
      reuse
    );
    b.nodes.forEach((n, i) => {
      expect(n).not.toBe(a.nodes[i]);
      expect(n.position.x).toBe(a.nodes[i].position.x + 7);
      expect(n.data).toBe(a.nodes[i].data);
    });
    const lit = { ...deco, linked: new Set([a.nodes[0].id]) };
    const c = flowElements(vg, layoutAt(7), 'RIGHT', model.outputs, lit, reuse);
    expect(c.nodes[0].data).not.toBe(b.nodes[0].data);
    expect(c.nodes[0].data.linked).toBe(true);
    expect(c.nodes[1]).toBe(b.nodes[1]);
  });
});

describe('frame corners', () => {
  it('rounds a frame up to the limit and squares a longer one', () => {
    expect(squareFrame(ROUNDED_FRAME_MAX_PX, 300)).toBe(false);
    expect(squareFrame(ROUNDED_FRAME_MAX_PX + 1, 300)).toBe(true);
    expect(squareFrame(300, 200_000)).toBe(true);
  });

  it("marks each drawn frame's corners by its laid-out size", () => {
    const step = buildGraphModel(trainingStep());
    const stepTree = buildScopeTree(step);
    const open = buildVisibleGraph(
      step,
      stepTree,
      new Set(stepTree.groups.keys())
    );
    expect(open.frames.length).toBeGreaterThan(0);
    const sizes = open.frames.map((f, i) => ({
      id: f.id,
      x: 0,
      y: 0,
      width: i % 2 ? 200_000 : 400,
      height: 120
    }));
    const { nodes } = flowElements(
      open,
      { nodes: [], frames: sizes, width: 200_000, height: 120 },
      'RIGHT',
      new Set(),
      deco
    );
    const square = new Map(
      nodes.filter(n => n.type === 'frame').map(n => [n.id, n.data.square])
    );
    expect(square).toEqual(new Map(sizes.map(f => [f.id, f.width > 400])));
  });
});

describe('flowElements edges', () => {
  it('are drawn by the viewer edge that labels without measuring', () => {
    const { edges } = flowElements(
      vg,
      layoutAt(0),
      'RIGHT',
      model.outputs,
      deco
    );
    expect(edges.length).toBeGreaterThan(0);
    for (const e of edges) {
      expect(e.type).toBe('labelled');
      expect(edgeTypes[e.type as keyof typeof edgeTypes]).toBe(LabelledEdge);
    }
  });
});
