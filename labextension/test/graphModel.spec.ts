import {
  buildGraphModel,
  estimateNodeSize,
  inputPortCount,
  inputsOf,
  NODE_MAX_WIDTH,
  NODE_MIN_WIDTH,
  nodeLines,
  predecessors,
  successors
} from '../src/model/graphModel';
import { node, smallGraph } from './fixtures';

describe('graph model', () => {
  it('is built once per payload (the viewer and its pane share it)', () => {
    const payload = smallGraph();
    const m = buildGraphModel(payload);
    expect(buildGraphModel(payload)).toBe(m);
    const other = buildGraphModel(smallGraph());
    expect(other).not.toBe(m);
    expect(other.nodes.map(n => n.id)).toEqual(m.nodes.map(n => n.id));
    expect(buildGraphModel(null).nodes).toEqual([]);
  });

  it('indexes nodes and edges', () => {
    const m = buildGraphModel(smallGraph());
    expect(m.title).toBe('tiny mlp');
    expect(m.nodes.map(n => n.id)).toEqual([
      'x',
      'W',
      'b',
      'mm',
      'add',
      'relu',
      'loss'
    ]);
    expect(m.nodeById.get('mm')?.op).toBe('matmul');
    expect(m.edgeById.get('e4')?.source).toBe('b');
    expect([...m.outputs]).toEqual(['loss']);
    expect(m.issues).toEqual([]);
  });

  it('keeps inputs in port order', () => {
    const p = smallGraph();
    p.edges.reverse();
    const m = buildGraphModel(p);
    expect(inputsOf(m, 'mm').map(e => e.target_port)).toEqual([0, 1]);
    expect(predecessors(m, 'add')).toEqual(['mm', 'b']);
    expect(successors(m, 'x')).toEqual(['mm']);
    expect(inputPortCount(m, 'mm')).toBe(2);
    expect(inputPortCount(m, 'x')).toBe(0);
  });

  it('counts ports up to the highest connected one', () => {
    const p = smallGraph();
    p.edges.push({
      id: 'e7',
      source: 'x',
      target: 'loss',
      target_port: 2,
      shape: [4, 3],
      dtype: 'float32'
    });
    expect(inputPortCount(buildGraphModel(p), 'loss')).toBe(3);
  });

  it('reports and skips inconsistent items instead of throwing', () => {
    const p = smallGraph();
    p.nodes.push(node('x', 'duplicate'));
    p.edges.push({
      id: 'bad',
      source: 'nope',
      target: 'mm',
      target_port: 2,
      shape: null,
      dtype: ''
    });
    p.edges.push({ ...p.edges[0] });
    p.outputs.push('ghost');
    const m = buildGraphModel(p);
    expect(m.nodes).toHaveLength(7);
    expect(m.nodeById.get('x')?.op).toBe('placeholder');
    expect(m.edges).toHaveLength(6);
    expect(m.issues.map(i => i.kind).sort()).toEqual([
      'dangling-edge',
      'duplicate-edge',
      'duplicate-node',
      'unknown-output'
    ]);
  });

  it('accepts a missing payload as an empty graph', () => {
    const m = buildGraphModel(null);
    expect(m.nodes).toEqual([]);
    expect(m.edges).toEqual([]);
  });

  it('estimates node sizes from their text', () => {
    const named = node('a', 'matmul', { name: 'a_very_long_layer_name' });
    expect(nodeLines(named)).toEqual([
      'matmul',
      'a_very_long_layer_name',
      '(4, 3) float32'
    ]);
    expect(nodeLines(node('b', 'add'))).toEqual(['add', '(4, 3) float32']);
    const small = estimateNodeSize(node('c', 'add', { shape: [], dtype: '' }));
    const big = estimateNodeSize(named);
    expect(small.width).toBe(NODE_MIN_WIDTH);
    expect(big.width).toBeGreaterThan(small.width);
    expect(big.height).toBeGreaterThan(small.height);
    const huge = estimateNodeSize(node('d', 'x'.repeat(500)));
    expect(huge.width).toBe(NODE_MAX_WIDTH);
  });
});
