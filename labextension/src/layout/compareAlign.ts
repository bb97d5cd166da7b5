/**
 * Side-by-side comparison: pane B's top-level boxes moved along the flow to
 * where their matched boxes sit in pane A, so a node and its match line up.
 */
import type { GraphDiff } from '../model/diff';
import type { VisibleGraph } from '../model/visibleGraph';
import { alignAlongFlow } from './bands';
import type { LayoutDirection, LayoutResult } from './messages';
import { ROOT_PADDING } from './elkGraph';

/**
 * Pane B's layout with its top-level boxes at pane A's places: a box of B
 * lines up with the box of A showing the match of its first matched node.
 */
export function alignToPaneA(
  a: { vg: VisibleGraph; layout: LayoutResult },
  b: { vg: VisibleGraph; layout: LayoutResult },
  diff: GraphDiff,
  direction: LayoutDirection
): LayoutResult {
  const placeA = new Map(a.layout.nodes.map(p => [p.id, p]));
  for (const f of a.layout.frames ?? []) {
    placeA.set(f.id, { ...f, ports: [] });
  }
  const topOf = topLevelOf(b.vg);
  const topA = topLevelOf(a.vg);
  const targets = new Map<string, number>();
  for (const [nodeB, nodeA] of diff.matchBA) {
    const repB = b.vg.repOf.get(nodeB);
    const repA = a.vg.repOf.get(nodeA);
    const boxB = repB === undefined ? undefined : topOf(repB);
    const boxA = repA === undefined ? undefined : topA(repA);
    const at = boxA === undefined ? undefined : placeA.get(boxA);
    if (boxB !== undefined && at && !targets.has(boxB)) {
      targets.set(boxB, direction === 'RIGHT' ? at.x : at.y);
    }
  }
  // Only top-level boxes move; what a frame holds moves with it (shiftMembers).
  const topBoxes = [
    ...b.layout.nodes.filter(
      p => (b.vg.itemById.get(p.id)?.parent ?? null) === null
    ),
    ...(b.layout.frames ?? [])
      .filter(f => topOf(f.id) === f.id)
      .map(f => ({ ...f, ports: [] }))
  ];
  const aligned = alignAlongFlow(
    { ...b.layout, nodes: topBoxes },
    targets,
    direction,
    ROOT_PADDING
  );
  return shiftMembers(b, aligned, direction);
}

/** The top-level box (item or frame) holding a visible item. */
function topLevelOf(vg: VisibleGraph): (id: string) => string {
  const parentOf = new Map<string, string | null>();
  for (const f of vg.frames) {
    parentOf.set(f.id, f.parent);
  }
  for (const i of vg.items) {
    parentOf.set(i.id, i.parent);
  }
  return id => {
    let cur = id;
    let parent = parentOf.get(cur) ?? null;
    while (parent !== null) {
      cur = parent;
      parent = parentOf.get(cur) ?? null;
    }
    return cur;
  };
}

/** Move everything inside a moved top-level frame with it. */
function shiftMembers(
  b: { vg: VisibleGraph; layout: LayoutResult },
  aligned: LayoutResult,
  direction: LayoutDirection
): LayoutResult {
  const moved = new Map(aligned.nodes.map(p => [p.id, p]));
  const before = new Map(
    [...b.layout.nodes, ...(b.layout.frames ?? [])].map(p => [p.id, p])
  );
  const topOf = topLevelOf(b.vg);
  const delta = (id: string): number => {
    const top = topOf(id);
    const now = moved.get(top);
    const was = before.get(top);
    if (!now || !was) {
      return 0;
    }
    return direction === 'RIGHT' ? now.x - was.x : now.y - was.y;
  };
  const shift = <T extends { id: string; x: number; y: number }>(p: T): T => {
    const d = delta(p.id);
    return direction === 'RIGHT' ? { ...p, x: p.x + d } : { ...p, y: p.y + d };
  };
  return {
    nodes: b.layout.nodes.map(shift),
    frames: (b.layout.frames ?? []).map(shift),
    width: direction === 'RIGHT' ? aligned.width : b.layout.width,
    height: direction === 'RIGHT' ? b.layout.height : aligned.height
  };
}
