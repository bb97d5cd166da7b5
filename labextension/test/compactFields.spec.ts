/**
 * Issue 10's compact columns: NaN/Inf marks, update links, scope types, and
 * metric figures JSON cannot carry (sent as text, decoded to numbers).
 */
import type { CompactGraph } from '../src/protocol';
import { decodeCompactGraph } from '../src/model/compact';
import { compactGraphProblem } from '../src/model/compactCheck';

function graph(): CompactGraph {
  return {
    version: '1.0',
    title: 't',
    encoding: 'columns-1',
    strings: ['variable', 'w', 'input', 'float32', 'cpu', '', 'update', 'sgd_'],
    nodes: {
      count: 2,
      op: [0, 7],
      name: [1, 7],
      category: [2, 6],
      dtype: [3, 3],
      device: [4, 4],
      scope: [5, 5],
      phase: [2, 6],
      shape: [[2], [2]],
      updates: [null, 0],
      nonfinite: { '0': 'produced', '1': 'passed' },
      metrics: { grad_norm: ['NaN', 'Infinity'], bytes: [8, '-Infinity'] }
    },
    edges: { src: [0], dst: [1], port: [0] },
    outputs: [1],
    scope_types: { '0': 'Linear', 'rnn/cell[3]': 'LSTMCell' }
  };
}

describe('issue 10 compact fields', () => {
  it('decode into the GraphPayload fields', () => {
    const c = graph();
    expect(compactGraphProblem(c)).toBeNull();
    const p = decodeCompactGraph(c);
    expect(p.nodes[0].updates).toBeUndefined();
    expect(p.nodes[1].updates).toBe('n0');
    expect(p.nodes.map(n => n.nonfinite)).toEqual(['produced', 'passed']);
    expect(p.nodes[0].metrics).toEqual({ grad_norm: NaN, bytes: 8 });
    expect(p.nodes[1].metrics).toEqual({
      grad_norm: Infinity,
      bytes: -Infinity
    });
    expect(p.scope_types).toEqual({ '0': 'Linear', 'rnn/cell[3]': 'LSTMCell' });
  });

  it('are checked before decoding', () => {
    const badRef = graph();
    badRef.nodes.updates = [null, 5];
    expect(compactGraphProblem(badRef)).toMatch(/^nodes\/updates\/1/);
    const badMark = graph();
    badMark.nodes.nonfinite = { '1': 'made' as 'produced' };
    expect(compactGraphProblem(badMark)).toMatch(/^nodes\/nonfinite\/1/);
    const strayMark = graph();
    strayMark.nodes.nonfinite = { '9': 'passed' };
    expect(compactGraphProblem(strayMark)).toMatch(/^nodes\/nonfinite\/9/);
    const badFigure = graph();
    badFigure.nodes.metrics = { bytes: [1, 'inf' as 'NaN'] };
    expect(compactGraphProblem(badFigure)).toMatch(/^nodes\/metrics\/bytes\/1/);
    const badTypes = graph();
    badTypes.scope_types = { '0': 3 as unknown as string };
    expect(compactGraphProblem(badTypes)).toMatch(/^scope_types/);
  });
});
