import { buildGraphModel } from '../src/model/graphModel';
import {
  ancestorGroups,
  autoCollapseDepth,
  buildScopeTree,
  expandedAtDepth,
  normaliseScope,
  visibleCountAtDepth
} from '../src/model/scopeTree';
import { buildVisibleGraph, groupItemId } from '../src/model/visibleGraph';
import { node } from './fixtures';
import { transformerPayload } from './synthetic';
import type { GraphPayload } from '../src/protocol';

function scoped(): GraphPayload {
  return {
    version: '1.0',
    title: 's',
    nodes: [
      node('x', 'placeholder'),
      node('a', 'matmul', { scope: 'enc/l0' }),
      node('b', 'relu', { scope: 'enc/l0' }),
      node('c', 'matmul', { scope: 'enc/l1' }),
      node('d', 'relu', { scope: 'enc/l1' }),
      node('y', 'mean', { scope: '' })
    ],
    edges: [
      {
        id: 'e1',
        source: 'x',
        target: 'a',
        target_port: 0,
        shape: [2],
        dtype: 'f'
      },
      {
        id: 'e2',
        source: 'a',
        target: 'b',
        target_port: 0,
        shape: [2],
        dtype: 'f'
      },
      {
        id: 'e3',
        source: 'b',
        target: 'c',
        target_port: 0,
        shape: [2],
        dtype: 'f'
      },
      {
        id: 'e4',
        source: 'c',
        target: 'd',
        target_port: 0,
        shape: [2],
        dtype: 'f'
      },
      {
        id: 'e5',
        source: 'd',
        target: 'y',
        target_port: 0,
        shape: [2],
        dtype: 'f'
      },
      {
        id: 'e6',
        source: 'x',
        target: 'c',
        target_port: 1,
        shape: [2],
        dtype: 'f'
      }
    ],
    outputs: ['y']
  };
}

describe('scope tree', () => {
  const model = buildGraphModel(scoped());
  const tree = buildScopeTree(model);

  it('normalises scopes', () => {
    expect(normaliseScope('/a//b/ ')).toBe('a/b');
    expect(normaliseScope('')).toBe('');
  });

  it('builds groups with counts and op summaries', () => {
    expect([...tree.groups.keys()].sort()).toEqual([
      '',
      'enc',
      'enc/l0',
      'enc/l1'
    ]);
    const enc = tree.groups.get('enc')!;
    expect(enc.descendants).toEqual(['a', 'b', 'c', 'd']);
    expect(enc.childGroups).toEqual(['enc/l0', 'enc/l1']);
    expect(enc.opSummary).toEqual([
      { op: 'matmul', count: 2 },
      { op: 'relu', count: 2 }
    ]);
    expect(tree.maxDepth).toBe(2);
  });

  it('gives repeated blocks the same signature and a repeat count', () => {
    const l0 = tree.groups.get('enc/l0')!;
    const l1 = tree.groups.get('enc/l1')!;
    expect(l0.signature).toBe(l1.signature);
    expect(l0.repeatCount).toBe(2);
    expect(l0.repeatFamily).toBe(l1.repeatFamily);
    expect(tree.groups.get('enc')!.repeatCount).toBe(1);
  });

  it('tells different structures apart', () => {
    const p = scoped();
    p.nodes[4] = node('d', 'tanh', { scope: 'enc/l1' });
    const t = buildScopeTree(buildGraphModel(p));
    expect(t.groups.get('enc/l0')!.signature).not.toBe(
      t.groups.get('enc/l1')!.signature
    );
  });

  it('recognises 12 transformer blocks as one family', () => {
    const t = buildScopeTree(buildGraphModel(transformerPayload(12, 4)));
    const blocks = [...t.groups.values()].filter(g => g.depth === 2);
    expect(blocks).toHaveLength(12);
    expect(new Set(blocks.map(b => b.signature)).size).toBe(1);
    expect(blocks[0].repeatCount).toBe(12);
  });

  it('lists the groups to expand to show a node', () => {
    expect(ancestorGroups(tree, 'c')).toEqual(['enc', 'enc/l1']);
    expect(ancestorGroups(tree, 'x')).toEqual([]);
  });

  it('picks the deepest collapse depth that stays readable', () => {
    expect(visibleCountAtDepth(tree, 0)).toBe(3);
    expect(visibleCountAtDepth(tree, 1)).toBe(4);
    expect(visibleCountAtDepth(tree, 2)).toBe(6);
    expect(autoCollapseDepth(tree, 200)).toBe(2);
    expect(autoCollapseDepth(tree, 4)).toBe(1);
    expect(autoCollapseDepth(tree, 1)).toBe(0);
    const big = buildScopeTree(buildGraphModel(transformerPayload(48, 50)));
    const d = autoCollapseDepth(big, 200);
    expect(visibleCountAtDepth(big, d)).toBeLessThanOrEqual(200);
    expect(d).toBe(1);
  });
});

describe('visible graph', () => {
  const model = buildGraphModel(scoped());
  const tree = buildScopeTree(model);

  it('draws a collapsed group as one item and reroutes edges to it', () => {
    const vg = buildVisibleGraph(model, tree, new Set());
    expect(vg.items.map(i => i.id)).toEqual(['x', groupItemId('enc'), 'y']);
    expect(vg.frames).toEqual([]);
    const pairs = vg.edges.map(e => `${e.source}>${e.target}:${e.targetPort}`);
    // x feeds the group twice (a and c): merged into one edge.
    expect(pairs).toEqual(['x>group:enc:0', 'group:enc>y:0']);
    expect(vg.edges[0].edgeIds).toEqual(['e1', 'e6']);
    expect(vg.edges[0].label).toMatch(/×2$/);
    expect(vg.repOf.get('c')).toBe('group:enc');
  });

  it('expands a group into a frame with its children', () => {
    const vg = buildVisibleGraph(model, tree, new Set(['enc']));
    expect(vg.items.map(i => i.id)).toEqual([
      'x',
      'group:enc/l0',
      'group:enc/l1',
      'y'
    ]);
    expect(vg.frames.map(f => f.id)).toEqual(['frame:enc']);
    expect(vg.itemById.get('group:enc/l0')!.parent).toBe('frame:enc');
    const pairs = vg.edges.map(e => `${e.source}>${e.target}:${e.targetPort}`);
    expect(pairs).toEqual([
      'x>group:enc/l0:0',
      'group:enc/l0>group:enc/l1:0',
      'group:enc/l1>y:0',
      'x>group:enc/l1:1'
    ]);
  });

  it('shows real nodes, with their own ports, when everything is expanded', () => {
    const vg = buildVisibleGraph(model, tree, expandedAtDepth(tree, 2));
    expect(vg.items.map(i => i.id)).toEqual(['x', 'a', 'b', 'c', 'd', 'y']);
    expect(vg.edges).toHaveLength(6);
    expect(vg.edges.find(e => e.id === 'e6')!.targetPort).toBe(1);
    expect(vg.frames.map(f => f.parent)).toEqual([
      null,
      'frame:enc',
      'frame:enc'
    ]);
  });

  it('keeps a child group collapsed inside an expanded parent when asked', () => {
    const vg = buildVisibleGraph(model, tree, new Set(['enc', 'enc/l0']));
    expect(vg.items.map(i => i.id)).toEqual([
      'x',
      'a',
      'b',
      'group:enc/l1',
      'y'
    ]);
    expect(vg.itemById.get('a')!.parent).toBe('frame:enc/l0');
  });
});
