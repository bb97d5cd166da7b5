import type { GraphEdge, GraphNode, GraphPayload } from '../src/protocol';
import { buildGraphModel } from '../src/model/graphModel';
import { diffGraphs } from '../src/model/diff';
import { node } from './fixtures';

function payload(
  nodes: GraphNode[],
  links: [string, string, number][]
): GraphPayload {
  const edges: GraphEdge[] = links.map(([s, t, p], i) => ({
    id: `e${i}`,
    source: s,
    target: t,
    target_port: p,
    shape: [4, 3],
    dtype: 'float32'
  }));
  return { version: '1.0', title: 't', nodes, edges, outputs: [] };
}

/** x → matmul(W) → mul(one) → relu → mean: the "before" of an optimisation. */
function before(): GraphPayload {
  return payload(
    [
      node('x', 'placeholder', { name: 'x' }),
      node('W', 'variable', { name: 'W' }),
      node('one', 'constant'),
      node('mm', 'matmul'),
      node('mul', 'mul'),
      node('relu', 'relu', { name: 'h' }),
      node('loss', 'mean', { name: 'loss', shape: [] })
    ],
    [
      ['x', 'mm', 0],
      ['W', 'mm', 1],
      ['mm', 'mul', 0],
      ['one', 'mul', 1],
      ['mul', 'relu', 0],
      ['relu', 'loss', 0]
    ]
  );
}

/** The optimised form: mul by one removed, ids renumbered, relu's dtype changed, a cast added. */
function after(): GraphPayload {
  return payload(
    [
      node('n0', 'placeholder', { name: 'x' }),
      node('n1', 'variable', { name: 'W' }),
      node('n2', 'matmul'),
      node('n3', 'relu', { name: 'h', dtype: 'float16' }),
      node('n4', 'cast'),
      node('n5', 'mean', { name: 'loss', shape: [] })
    ],
    [
      ['n0', 'n2', 0],
      ['n1', 'n2', 1],
      ['n2', 'n3', 0],
      ['n3', 'n4', 0],
      ['n4', 'n5', 0]
    ]
  );
}

describe('diffGraphs', () => {
  const a = buildGraphModel(before());
  const b = buildGraphModel(after());
  const d = diffGraphs(a, b);

  it('matches by name, then by op and matched inputs', () => {
    expect(d.matchAB.get('x')).toBe('n0');
    expect(d.matchAB.get('loss')).toBe('n5');
    expect(d.matchAB.get('mm')).toBe('n2');
    expect(d.matchBA.get('n2')).toBe('mm');
  });

  it('counts removed, added, changed and same nodes', () => {
    expect(d.counts).toEqual({ added: 1, removed: 2, changed: 1, same: 4 });
    expect(d.statusA.get('mul')).toBe('removed');
    expect(d.statusA.get('one')).toBe('removed');
    expect(d.statusB.get('n4')).toBe('added');
  });

  it('has no match for a removed node, nor for an added one', () => {
    expect(d.matchAB.has('mul')).toBe(false);
    expect(d.matchBA.has('n4')).toBe(false);
    expect(d.statusA.get('relu')).toBe('changed');
    expect(d.steps.find(s => s.a === 'relu')?.fields).toEqual(['dtype']);
  });

  it('marks a matched node whose op, shape or params differ as changed', () => {
    const x = buildGraphModel(before());
    const changed = before();
    changed.nodes[3] = node('mm', 'matmul', {
      shape: [4, 4],
      params: { transpose_b: true }
    });
    const dd = diffGraphs(x, buildGraphModel(changed));
    expect(dd.statusA.get('mm')).toBe('changed');
    expect(dd.counts.changed).toBe(1);
    expect(dd.steps).toEqual([
      { status: 'changed', a: 'mm', b: 'mm', fields: ['shape', 'params'] }
    ]);
  });

  it('lists the differences in graph order for stepping', () => {
    expect(d.steps.map(s => [s.status, s.a ?? s.b])).toEqual([
      ['removed', 'one'],
      ['removed', 'mul'],
      ['changed', 'relu'],
      ['added', 'n4']
    ]);
  });

  it('finds nothing to step through for identical graphs', () => {
    const dd = diffGraphs(a, buildGraphModel(before()));
    expect(dd.steps).toEqual([]);
    expect(dd.counts.same).toBe(7);
  });
});
