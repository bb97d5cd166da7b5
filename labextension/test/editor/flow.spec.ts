import {
  DocIndex,
  EMPTY_DOCUMENT,
  type EditorDocument
} from '../../src/editor/model/document';
import {
  drawnGraph,
  frameId,
  groupBoxId,
  groupOf,
  handlePort,
  movedPositions
} from '../../src/editor/model/flow';
import { opNode } from './fakeKernel';

function doc(collapsed: { inner: boolean; outer: boolean }): EditorDocument {
  const at = (id: string, group: string | null, x: number) => ({
    ...opNode(id, 'relu', id),
    group,
    position: { x, y: 0 }
  });
  return {
    ...EMPTY_DOCUMENT,
    nodes: [
      at('a', null, 0),
      at('b', 'inner', 300),
      at('c', 'inner', 600),
      at('d', 'outer', 900),
      at('e', null, 1200)
    ],
    edges: [
      { id: 'ab', source: 'a', source_port: 0, target: 'b', target_port: 0 },
      { id: 'bc', source: 'b', source_port: 0, target: 'c', target_port: 0 },
      { id: 'cd', source: 'c', source_port: 0, target: 'd', target_port: 0 },
      { id: 'de', source: 'd', source_port: 0, target: 'e', target_port: 0 },
      { id: 'ad', source: 'a', source_port: 0, target: 'd', target_port: 1 }
    ],
    groups: [
      {
        id: 'outer',
        name: 'outer',
        type: 'scope',
        parent: null,
        collapsed: collapsed.outer
      },
      {
        id: 'inner',
        name: 'inner',
        type: 'Linear',
        parent: 'outer',
        collapsed: collapsed.inner
      }
    ]
  };
}

describe('editor canvas model', () => {
  it('draws open groups as nested frames round their members', () => {
    const g = drawnGraph(new DocIndex(doc({ inner: false, outer: false })));
    expect(g.nodes.map(n => n.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(g.frames.map(f => f.group.id)).toEqual(['outer', 'inner']);
    const [outer, inner] = g.frames;
    expect(outer.position.x).toBeLessThan(inner.position.x);
    expect(outer.position.x + outer.size.width).toBeGreaterThan(
      inner.position.x + inner.size.width
    );
    expect(g.edges).toHaveLength(5);
  });

  it('draws a collapsed group as one box: inner wires hidden, crossing wires end on it', () => {
    const g = drawnGraph(new DocIndex(doc({ inner: true, outer: false })));
    expect(g.nodes.map(n => n.id)).toEqual(['a', 'd', 'e']);
    expect(g.boxes.map(b => [b.group.id, b.members, b.position.x])).toEqual([
      ['inner', 2, 300]
    ]);
    expect(g.frames.map(f => f.group.id)).toEqual(['outer']);
    expect(g.edges.map(e => `${e.source}->${e.target}`)).toEqual([
      `a->${groupBoxId('inner')}`,
      `${groupBoxId('inner')}->d`,
      'd->e',
      'a->d'
    ]);
  });

  it('lets the outermost collapsed group stand for everything inside it', () => {
    const g = drawnGraph(new DocIndex(doc({ inner: false, outer: true })));
    expect(g.nodes.map(n => n.id)).toEqual(['a', 'e']);
    expect(g.boxes.map(b => [b.group.id, b.members])).toEqual([['outer', 3]]);
    expect(g.frames).toEqual([]);
    // a->b and a->d both end on the box: drawn once
    expect(g.edges.map(e => `${e.source}->${e.target}`)).toEqual([
      `a->${groupBoxId('outer')}`,
      `${groupBoxId('outer')}->e`
    ]);
  });

  it('reads port numbers from handle ids', () => {
    expect(handlePort('in2')).toBe(2);
    expect(handlePort('out0')).toBe(0);
    expect(handlePort('in')).toBeNull();
    expect(handlePort(null)).toBeNull();
  });

  it('reads the group of a box or frame id', () => {
    expect(groupOf(groupBoxId('g1'))).toBe('g1');
    expect(groupOf(frameId('scope/a'))).toBe('scope/a');
    expect(groupOf('n3')).toBeNull();
  });

  it('moves a dropped node to its rounded corner, and a dragged box carries its members', () => {
    const index = new DocIndex(doc({ inner: true, outer: false }));
    const drawn = drawnGraph(index);
    const moved = new Map([
      ['a', { x: 10.4, y: -5.6 }],
      // the inner box sits at (300, 0): dragged by (+50, +20)
      [groupBoxId('inner'), { x: 350, y: 20 }]
    ]);
    expect(movedPositions(index, drawn, moved)).toEqual({
      a: { x: 10, y: -6 },
      b: { x: 350, y: 20 },
      c: { x: 650, y: 20 }
    });
  });

  it('ignores a frame (frames are not dragged)', () => {
    const index = new DocIndex(doc({ inner: false, outer: false }));
    const moved = new Map([[frameId('outer'), { x: 0, y: 0 }]]);
    expect(movedPositions(index, drawnGraph(index), moved)).toEqual({});
  });
});
