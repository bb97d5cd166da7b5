import {
  DocIndex,
  EMPTY_DOCUMENT,
  type EditorNode
} from '../../src/editor/model/document';
import { drawnGraph } from '../../src/editor/model/flow';
import {
  cullsAt,
  flowEdges,
  flowNodes,
  settleDrag,
  withDragAndSelection
} from '../../src/editor/view/flowElements';
import { opNode } from './fakeKernel';

const toggle = (): void => undefined;
const category = (kind: string): string | undefined =>
  kind === 'relu' ? 'activation' : undefined;

function chain(n: number): EditorNode[] {
  return Array.from({ length: n }, (_, i) => ({
    ...opNode(`n${i}`, 'relu', `n${i}`),
    position: { x: i * 260, y: 0 }
  }));
}

function drawn(nodes: EditorNode[]) {
  const edges = nodes.slice(1).map((n, i) => ({
    id: `e${i}`,
    source: nodes[i].id,
    source_port: 0,
    target: n.id,
    target_port: 0
  }));
  return drawnGraph(new DocIndex({ ...EMPTY_DOCUMENT, nodes, edges }));
}

describe('editor canvas elements', () => {
  it('keeps the canvas object of every node whose document object is unchanged', () => {
    const nodes = chain(4);
    const first = flowNodes(drawn(nodes), category, toggle, new Map());
    expect(first.nodes.map(n => n.data)).toEqual(
      nodes.map(n => ({ node: n, category: 'activation' }))
    );
    // the next version changes n2 only (the session keeps the others' objects)
    const n2 = { ...nodes[2], position: { x: 9, y: 9 } };
    const next = [nodes[0], nodes[1], n2, nodes[3]];
    const second = flowNodes(drawn(next), category, toggle, first.cache);
    second.nodes.forEach((n, i) =>
      i === 2
        ? expect(n).not.toBe(first.nodes[i])
        : expect(n).toBe(first.nodes[i])
    );
    expect(second.nodes[2].position).toEqual({ x: 9, y: 9 });
  });

  it('gives a new object only to the dragged and selected nodes', () => {
    const base = flowNodes(
      drawn(chain(500)),
      category,
      toggle,
      new Map()
    ).nodes;
    expect(withDragAndSelection(base, new Map(), new Set())).toBe(base);
    const shown = withDragAndSelection(
      base,
      new Map([['n7', { x: 1, y: 2 }]]),
      new Set(['n7', 'n9'])
    );
    const changed = shown.filter((n, i) => n !== base[i]).map(n => n.id);
    expect(changed).toEqual(['n7', 'n9']);
    expect(shown[7]).toMatchObject({
      position: { x: 1, y: 2 },
      selected: true
    });
    expect(shown[9]).toMatchObject({
      position: base[9].position,
      selected: true
    });
  });

  it('keeps an edge object until its selection or ends change', () => {
    const g = drawn(chain(3));
    const first = flowEdges(g, new Set(), new Map());
    expect(first.edges.map(e => [e.id, e.selected, e.className])).toEqual([
      ['e0', false, 'vf-edit-wire'],
      ['e1', false, 'vf-edit-wire']
    ]);
    const selected = flowEdges(g, new Set(['e1']), first.cache);
    expect(selected.edges[0]).toBe(first.edges[0]);
    expect(selected.edges[1]).not.toBe(first.edges[1]);
    expect(selected.edges[1].selected).toBe(true);
    // e1 rewired to another target port: a new object
    const rewired = {
      ...g,
      edges: [g.edges[0], { ...g.edges[1], targetHandle: 'in1' }]
    };
    const after = flowEdges(rewired, new Set(['e1']), selected.cache);
    expect(after.edges[1]).not.toBe(selected.edges[1]);
    expect(after.edges[1].targetHandle).toBe('in1');
  });

  it('drops a finished drag once it is in the document, but not a newer drag of the same node', () => {
    const a1 = { x: 1, y: 1 };
    const b1 = { x: 2, y: 2 };
    const done = new Map([
      ['a', a1],
      ['b', b1]
    ]);
    // a second drag moved b again before the first move came back
    const current = new Map([
      ['a', a1],
      ['b', { x: 5, y: 5 }]
    ]);
    expect([...settleDrag(current, done)]).toEqual([['b', { x: 5, y: 5 }]]);
    expect(settleDrag(done, done).size).toBe(0);
  });

  it('leaves off-screen nodes out only when the view rests at the culling zoom or nearer', () => {
    expect(cullsAt(0.45, 0.45)).toBe(true);
    expect(cullsAt(1.2, 0.45)).toBe(true);
    expect(cullsAt(0.44, 0.45)).toBe(false);
    expect(cullsAt(0.1, 0.45)).toBe(false);
  });
});
