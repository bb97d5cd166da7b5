/**
 * The compact wire form: the fixture is written by the Python encoder
 * (python tests/kernelext/test_compact_graph.py), so both sides agree.
 */
import type { CompactGraph, GraphPayload } from '../src/protocol';
import {
  decodeCompactGraph,
  expandGraph,
  isCompactGraph
} from '../src/model/compact';
import { readBundle } from '../src/mimeBundle';
import sample from './fixtures/compact.json';

const compact = sample.compact as unknown as CompactGraph;
const expanded = sample.expanded as unknown as GraphPayload;

describe('decodeCompactGraph', () => {
  it('gives back the payload the Python encoder was given', () => {
    expect(isCompactGraph(compact)).toBe(true);
    expect(decodeCompactGraph(compact)).toEqual(expanded);
  });

  it('keeps ids that name no node, and edge shapes that differ', () => {
    const c: CompactGraph = {
      version: '1.0',
      title: 't',
      encoding: 'columns-1',
      strings: ['a', 'x', 'float32', 'cpu', '', 'forward', 'ghost', 'int8'],
      nodes: {
        count: 1,
        id: [0],
        op: [1],
        name: [4],
        category: [1],
        dtype: [2],
        device: [3],
        scope: [4],
        phase: [5],
        shape: [[2]],
        forward_of: [-7]
      },
      edges: {
        src: [-7],
        dst: [0],
        port: [0],
        shape: { '0': [3] },
        dtype: { '0': 7 }
      },
      outputs: [0, -7]
    };
    const p = decodeCompactGraph(c);
    expect(p.nodes[0].forward_of).toBe('ghost');
    expect(p.edges[0]).toEqual({
      id: 'e0',
      source: 'ghost',
      target: 'a',
      target_port: 0,
      shape: [3],
      dtype: 'int8'
    });
    expect(p.outputs).toEqual(['a', 'ghost']);
  });

  it('is used for mime bundles; expanded graphs still read', () => {
    const b = readBundle({
      version: '1.0',
      graph: compact,
      compare: compact,
      model_id: null
    });
    expect(b?.graph).toEqual(expanded);
    expect(b?.compare).toEqual(expanded);
    expect(expandGraph(expanded)).toBe(expanded);
    expect(expandGraph({ encoding: 'columns-1' })).toBeNull();
  });
});
