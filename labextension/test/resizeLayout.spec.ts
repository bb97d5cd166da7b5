/** Expanding or collapsing one group shifts the unchanged levels instead of laying them out again. */
import ELK from 'elkjs/lib/elk.bundled.js';
import { ElkLike, LayoutCache, runElkLayout } from '../src/layout/elkGraph';
import { layoutInputFromVisible } from '../src/layout/fromModel';
import type { LayoutGraphInput, LayoutResult } from '../src/layout/messages';
import { buildGraphModel } from '../src/model/graphModel';
import { buildScopeTree, expandedAtDepth } from '../src/model/scopeTree';
import { buildVisibleGraph, frameId } from '../src/model/visibleGraph';
import { transformerPayload } from './synthetic';

const elk = new ELK() as unknown as ElkLike;
const options = { direction: 'RIGHT' as const };

interface Box {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Pairs of boxes that overlap although neither holds the other. */
function overlaps(
  r: LayoutResult,
  parentOf: Map<string, string | null>
): string[] {
  const boxes: Box[] = [...r.nodes, ...(r.frames ?? [])];
  const bad: string[] = [];
  const inside = (a: string, b: string): boolean => {
    let p = parentOf.get(a) ?? null;
    while (p !== null) {
      if (p === b) {
        return true;
      }
      p = parentOf.get(p) ?? null;
    }
    return false;
  };
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i];
      const b = boxes[j];
      if (inside(a.id, b.id) || inside(b.id, a.id)) {
        continue;
      }
      const apart =
        a.x + a.width <= b.x + 0.5 ||
        b.x + b.width <= a.x + 0.5 ||
        a.y + a.height <= b.y + 0.5 ||
        b.y + b.height <= a.y + 0.5;
      if (!apart) {
        bad.push(`${a.id} / ${b.id}`);
      }
    }
  }
  return bad;
}

function parents(input: LayoutGraphInput): Map<string, string | null> {
  const parentOf = new Map<string, string | null>();
  for (const n of input.nodes) {
    parentOf.set(n.id, n.parent ?? null);
  }
  for (const f of input.frames ?? []) {
    parentOf.set(f.id, f.parent ?? null);
  }
  return parentOf;
}

describe('expanding one group', () => {
  const model = buildGraphModel(transformerPayload(6, 6));
  const tree = buildScopeTree(model);
  const collapsed = expandedAtDepth(tree, 2);
  const path = [...tree.groups.keys()].find(
    p => p.split('/').length === 3 && !collapsed.has(p)
  ) as string;

  it('resizes the levels above the group and keeps every box apart', async () => {
    const cache = new LayoutCache();
    const first = layoutInputFromVisible(
      buildVisibleGraph(model, tree, collapsed)
    );
    await runElkLayout(elk, first, options, cache);
    expect(cache.resized).toBe(0);

    const vg = buildVisibleGraph(model, tree, new Set([...collapsed, path]));
    const input = layoutInputFromVisible(vg);
    const result = await runElkLayout(elk, input, options, cache);
    expect(cache.resized).toBeGreaterThan(0);
    const parentOf = parents(input);
    expect(result.nodes).toHaveLength(input.nodes.length);
    const frame = (result.frames ?? []).find(f => f.id === frameId(path));
    expect(frame).toBeDefined();
    expect(overlaps(result, parentOf)).toEqual([]);
    // Every node lies inside its frame.
    const frames = new Map((result.frames ?? []).map(f => [f.id, f]));
    for (const n of result.nodes) {
      const p = parentOf.get(n.id);
      const f = p ? frames.get(p) : undefined;
      if (f) {
        expect(n.x).toBeGreaterThanOrEqual(f.x);
        expect(n.y).toBeGreaterThanOrEqual(f.y);
        expect(n.x + n.width).toBeLessThanOrEqual(f.x + f.width + 0.5);
        expect(n.y + n.height).toBeLessThanOrEqual(f.y + f.height + 0.5);
      }
    }

    // Collapsing it again gives the first picture back, shifted only where it grew.
    const again = await runElkLayout(elk, first, options, cache);
    expect(again.nodes).toHaveLength(first.nodes.length);
    expect(overlaps(again, parents(first))).toEqual([]);
  });

  it('lays out only the opened group with ELK; the levels above are resized', async () => {
    let calls = 0;
    const counting: ElkLike = {
      layout: g => {
        calls++;
        return elk.layout(g);
      }
    };
    const cache = new LayoutCache();
    await runElkLayout(
      counting,
      layoutInputFromVisible(buildVisibleGraph(model, tree, collapsed)),
      options,
      cache
    );
    calls = 0;
    const resizedBefore = cache.resized;
    // The opened group's frame is listed apart from its level's boxes: the level is
    // still the same one, shifted rather than laid out again.
    await runElkLayout(
      counting,
      layoutInputFromVisible(
        buildVisibleGraph(model, tree, new Set([...collapsed, path]))
      ),
      options,
      cache
    );
    expect(calls).toBe(1);
    expect(cache.resized - resizedBefore).toBe(path.split('/').length);
  });
});
