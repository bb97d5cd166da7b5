/** A repeated block is laid out once: its twins take that layout under their own ids. */
import ELK from 'elkjs/lib/elk.bundled.js';
import {
  ElkLike,
  LayoutCache,
  runElkLayout,
  twinKey
} from '../src/layout/elkGraph';
import { layoutInputFromVisible } from '../src/layout/fromModel';
import type { LayoutResult } from '../src/layout/messages';
import { buildGraphModel } from '../src/model/graphModel';
import { buildScopeTree, expandedAtDepth } from '../src/model/scopeTree';
import { buildVisibleGraph, frameId } from '../src/model/visibleGraph';
import { transformerPayload } from './synthetic';

const real = new ELK() as unknown as ElkLike;
const options = { direction: 'RIGHT' as const };

function counting(): { elk: ElkLike; calls: () => number } {
  let n = 0;
  return {
    elk: { layout: g => (n++, real.layout(g)) },
    calls: () => n
  };
}

/** Positions of a frame's members relative to the frame, in member order. */
function inside(r: LayoutResult, path: string, ids: string[]): number[][] {
  const f = (r.frames ?? []).find(x => x.id === frameId(path));
  expect(f).toBeDefined();
  const byId = new Map(r.nodes.map(p => [p.id, p]));
  return ids.map(id => {
    const p = byId.get(id);
    expect(p).toBeDefined();
    return [p!.x - f!.x, p!.y - f!.y, p!.width, p!.height];
  });
}

describe('twin levels', () => {
  const model = buildGraphModel(transformerPayload(6, 6));
  const tree = buildScopeTree(model);
  const depth2 = expandedAtDepth(tree, 2);
  const input = (extra: string[]) =>
    layoutInputFromVisible(
      buildVisibleGraph(model, tree, new Set([...depth2, ...extra]))
    );

  it('the key names no ids: twin blocks share it, other levels do not', () => {
    const a = input(['blocks/0/attn']);
    const b = input(['blocks/1/attn']);
    const level = (i: typeof a, path: string) => ({
      nodes: i.nodes.filter(n => n.parent === frameId(path)),
      edges: i.edges.filter(
        e =>
          i.nodes.find(n => n.id === e.source)?.parent === frameId(path) &&
          i.nodes.find(n => n.id === e.target)?.parent === frameId(path)
      )
    });
    const la = level(a, 'blocks/0/attn');
    const lb = level(b, 'blocks/1/attn');
    expect(la.nodes.length).toBeGreaterThan(3);
    expect(twinKey(la, options, null)).toBe(twinKey(lb, options, null));
    expect(twinKey(la, options, null)).not.toBe(
      twinKey({ ...la, edges: la.edges.slice(1) }, options, null)
    );
    expect(twinKey(la, options, null)).not.toBe(
      twinKey(la, { direction: 'DOWN' }, null)
    );
  });

  it('opening a twin of an opened block runs no ELK and draws it the same', async () => {
    const cache = new LayoutCache();
    const { elk, calls } = counting();
    await runElkLayout(elk, input([]), options, cache);
    const first = await runElkLayout(
      elk,
      input(['blocks/0/attn']),
      options,
      cache
    );
    const before = calls();
    const twin = await runElkLayout(
      elk,
      input(['blocks/3/attn']),
      options,
      cache
    );
    expect(calls()).toBe(before);
    expect(cache.copied).toBeGreaterThan(0);
    const ids = (b: number) =>
      [...tree.groups.get(`blocks/${b}/attn`)!.descendants].sort();
    expect(inside(twin, 'blocks/3/attn', ids(3))).toEqual(
      inside(first, 'blocks/0/attn', ids(0))
    );
  });

  it('a graph of repeated blocks runs ELK once per kind of level', async () => {
    const cache = new LayoutCache();
    const { elk, calls } = counting();
    const all = input(
      [...tree.groups.keys()].filter(p => p.split('/').length === 3)
    );
    const result = await runElkLayout(elk, all, options, cache);
    // 6 blocks x (4 sub-blocks + the block) + `blocks` + the top level.
    const levels = 6 * 5 + 2;
    expect(calls()).toBeLessThan(levels / 3);
    expect(result.nodes).toHaveLength(all.nodes.length);
  });
});
