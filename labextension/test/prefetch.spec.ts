/** Which collapsed groups are laid out ahead of need. */
import { buildGraphModel } from '../src/model/graphModel';
import { groupsToPrefetch } from '../src/model/prefetch';
import { buildScopeTree, expandedAtDepth } from '../src/model/scopeTree';
import { buildVisibleGraph } from '../src/model/visibleGraph';
import { transformerPayload } from './synthetic';

describe('groupsToPrefetch', () => {
  const model = buildGraphModel(transformerPayload(6, 6));
  const tree = buildScopeTree(model);
  // Blocks open, their sub-blocks (ln1, attn, ln2, mlp) closed.
  const vg = buildVisibleGraph(model, tree, expandedAtDepth(tree, 2));
  const groups = vg.items.filter(i => i.kind === 'group');
  // Lay the boxes out in a row, 100 px apart.
  const boxes = new Map(
    vg.items.map((i, k) => [i.id, { x: k * 100, y: 0, width: 80, height: 40 }])
  );

  it('takes one group of each kind, those on screen first', () => {
    expect(groups.length).toBe(24);
    const last = boxes.get(groups[groups.length - 1].id)!;
    const screen = { x: last.x - 150, y: 0, width: 400, height: 100 };
    const paths = groupsToPrefetch(vg.items, boxes, screen, 10);
    // Each kind once: no two picked groups share a structure.
    const kinds = paths.map(p => tree.groups.get(p)!.signature);
    expect(new Set(kinds).size).toBe(paths.length);
    // The first picked is on screen (the last block's sub-blocks).
    expect(paths[0].startsWith('blocks/5/')).toBe(true);
    // Every kind of sub-block is covered.
    const allKinds = new Set(
      groups.map(g => g.kind === 'group' && g.group.signature)
    );
    expect(new Set(kinds)).toEqual(allKinds);
  });

  it('keeps to the limit and ignores what is not a group', () => {
    const screen = { x: 0, y: 0, width: 10000, height: 100 };
    expect(groupsToPrefetch(vg.items, boxes, screen, 1)).toHaveLength(1);
    const flat = buildVisibleGraph(model, tree, new Set(tree.groups.keys()));
    expect(groupsToPrefetch(flat.items, boxes, screen, 4)).toEqual([]);
  });
});
