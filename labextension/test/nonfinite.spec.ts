import { buildGraphModel } from '../src/model/graphModel';
import {
  firstNonfiniteProducer,
  groupNonfinite,
  nonfiniteCounts,
  nonfiniteOf
} from '../src/view/hooks/nonfinite';
import { buildScopeTree } from '../src/model/scopeTree';
import { buildVisibleGraph, groupItemId } from '../src/model/visibleGraph';
import type { GraphNode, GraphPayload } from '../src/protocol';

function node(id: string, nonfinite?: string): GraphNode {
  return {
    id,
    op: 'add',
    name: id,
    category: 'elementwise',
    shape: [1],
    dtype: 'float32',
    device: 'cpu',
    scope: '',
    phase: 'forward',
    ...(nonfinite === undefined ? {} : { nonfinite })
  } as GraphNode;
}

function payload(nodes: GraphNode[]): GraphPayload {
  return { version: '1.0', title: 't', nodes, edges: [], outputs: [] };
}

describe('nonfinite marks', () => {
  it('reads only the two known values', () => {
    expect(nonfiniteOf(node('a', 'produced'))).toBe('produced');
    expect(nonfiniteOf(node('a', 'passed'))).toBe('passed');
    expect(nonfiniteOf(node('a', 'bogus'))).toBeNull();
    expect(nonfiniteOf(node('a'))).toBeNull();
  });

  it('finds the first producer in payload order and counts', () => {
    const m = buildGraphModel(
      payload([
        node('x'),
        node('p1', 'passed'),
        node('b', 'produced'),
        node('c', 'produced'),
        node('d', 'passed')
      ])
    );
    expect(firstNonfiniteProducer(m)).toBe('b');
    expect(nonfiniteCounts(m)).toEqual({ produced: 2, passed: 2 });
    expect(firstNonfiniteProducer(buildGraphModel(payload([node('x')])))).toBe(
      null
    );
  });
});

describe('group marks', () => {
  it('marks a collapsed group by its worst member', () => {
    const scoped = (id: string, scope: string, mark?: string) => ({
      ...node(id, mark),
      scope
    });
    const m = buildGraphModel(
      payload([
        scoped('a', 'blk', 'passed'),
        scoped('b', 'blk', 'produced'),
        scoped('c', 'other', 'passed'),
        scoped('d', 'clean')
      ])
    );
    const tree = buildScopeTree(m);
    const vg = buildVisibleGraph(m, tree, new Set());
    const marks = groupNonfinite(m, vg);
    expect(marks.get(groupItemId('blk'))).toBe('produced');
    expect(marks.get(groupItemId('other'))).toBe('passed');
    expect(marks.has(groupItemId('clean'))).toBe(false);
  });
});
