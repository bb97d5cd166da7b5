import { buildGraphModel } from '../src/model/graphModel';
import {
  firstNonfiniteProducer,
  nonfiniteCounts,
  nonfiniteOf
} from '../src/view/hooks/nonfinite';
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
