import { buildGraphModel } from '../src/model/graphModel';
import { buildScopeTree } from '../src/model/scopeTree';
import { buildVisibleGraph, groupItemId } from '../src/model/visibleGraph';
import type { DiffStatus } from '../src/model/diff';
import type { GraphNode, GraphPayload } from '../src/protocol';
import { itemDiffMarks, stepIndex } from '../src/view/hooks/diffMarks';

function node(id: string, scope: string): GraphNode {
  return {
    id,
    op: 'add',
    name: id,
    category: 'elementwise',
    shape: [1],
    dtype: 'float32',
    device: 'cpu',
    scope,
    phase: 'forward'
  } as GraphNode;
}

const payload: GraphPayload = {
  version: '1.0',
  title: 't',
  nodes: [node('a', ''), node('b', 'blk'), node('c', 'blk'), node('d', '')],
  edges: [],
  outputs: []
};

describe('diff marks', () => {
  const m = buildGraphModel(payload);
  const tree = buildScopeTree(m);
  const status = new Map<string, DiffStatus>([
    ['a', 'same'],
    ['b', 'removed'],
    ['c', 'same'],
    ['d', 'changed']
  ]);

  it('marks nodes by status and a closed group holding a difference as changed', () => {
    const closed = itemDiffMarks(
      m,
      buildVisibleGraph(m, tree, new Set()),
      status
    );
    expect(closed.get(groupItemId('blk'))).toBe('changed');
    expect(closed.get('d')).toBe('changed');
    expect(closed.has('a')).toBe(false);
    const open = itemDiffMarks(
      m,
      buildVisibleGraph(m, tree, new Set(['blk'])),
      status
    );
    expect(open.get('b')).toBe('removed');
    expect(open.has('c')).toBe(false);
  });

  it('marks nothing without a comparison', () => {
    expect(
      itemDiffMarks(m, buildVisibleGraph(m, tree, new Set()), undefined).size
    ).toBe(0);
  });

  it('steps round the differences both ways', () => {
    expect(stepIndex(-1, 1, 3)).toBe(0);
    expect(stepIndex(-1, -1, 3)).toBe(2);
    expect(stepIndex(2, 1, 3)).toBe(0);
    expect(stepIndex(0, -1, 3)).toBe(2);
    expect(stepIndex(0, 1, 0)).toBe(-1);
  });
});
