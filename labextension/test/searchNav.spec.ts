import { buildGraphModel } from '../src/model/graphModel';
import { describeNode, searchNodes } from '../src/model/search';
import { navigate, type Box } from '../src/model/navigation';
import { node } from './fixtures';

describe('search', () => {
  const model = buildGraphModel({
    version: '1.0',
    title: '',
    nodes: [
      node('n1', 'matmul', { name: 'proj', scope: 'enc/attn' }),
      node('n2', 'add', { name: 'attn_out', scope: 'enc' }),
      node('n3', 'attn', { name: '', scope: '' }),
      node('n4', 'relu', { name: 'attn', scope: 'dec' })
    ],
    edges: [],
    outputs: []
  });

  it('ranks name matches before op and scope matches', () => {
    expect(searchNodes(model, 'attn').map(h => [h.id, h.field])).toEqual([
      ['n4', 'name'],
      ['n2', 'name'],
      ['n3', 'op'],
      ['n1', 'scope']
    ]);
  });

  it('is case-insensitive, limited, and empty for a blank query', () => {
    expect(searchNodes(model, 'MATMUL').map(h => h.id)).toEqual(['n1']);
    expect(searchNodes(model, 'attn', 2)).toHaveLength(2);
    expect(searchNodes(model, '   ')).toEqual([]);
    expect(searchNodes(model, 'n3').map(h => h.field)).toEqual(['id']);
  });

  it('describes nodes for the result list', () => {
    expect(describeNode(model.nodeById.get('n1')!)).toBe(
      'proj (matmul) in enc/attn'
    );
    expect(describeNode(model.nodeById.get('n3')!)).toBe('attn');
  });
});

describe('keyboard navigation', () => {
  const box = (x: number, y: number): Box => ({ x, y, width: 100, height: 40 });
  // a -> b -> d, a -> c (c below b)
  const graph = {
    boxes: new Map([
      ['a', box(0, 50)],
      ['b', box(200, 0)],
      ['c', box(200, 100)],
      ['d', box(400, 0)]
    ]),
    edges: [
      { source: 'a', target: 'b' },
      { source: 'a', target: 'c' },
      { source: 'b', target: 'd' }
    ]
  };

  it('starts at the first item in reading order', () => {
    expect(navigate(graph, null, 'ArrowRight', 'RIGHT')).toBe('a');
  });

  it('follows edges along the flow', () => {
    expect(navigate(graph, 'b', 'ArrowRight', 'RIGHT')).toBe('d');
    expect(navigate(graph, 'd', 'ArrowLeft', 'RIGHT')).toBe('b');
    expect(navigate(graph, 'd', 'ArrowRight', 'RIGHT')).toBeNull();
    expect(['b', 'c']).toContain(navigate(graph, 'a', 'ArrowRight', 'RIGHT'));
  });

  it('moves across the flow to the nearest item on that side', () => {
    expect(navigate(graph, 'b', 'ArrowDown', 'RIGHT')).toBe('c');
    expect(navigate(graph, 'c', 'ArrowUp', 'RIGHT')).toBe('b');
    expect(navigate(graph, 'b', 'ArrowUp', 'RIGHT')).toBeNull();
  });

  it('uses Down/Up along the flow for a top-to-bottom layout', () => {
    expect(navigate(graph, 'b', 'ArrowDown', 'DOWN')).toBe('d');
    expect(navigate(graph, 'd', 'ArrowUp', 'DOWN')).toBe('b');
  });
});
