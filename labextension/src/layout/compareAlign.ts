/**
 * Side-by-side comparison: pane B's boxes moved along the flow to where their
 * matched boxes sit in pane A, so a node and its match line up. The boxes that
 * move are the top level's, or each phase band's members in a banded graph
 * (the bands themselves always span the whole flow).
 */
import type { GraphDiff } from '../model/diff';
import type { VisibleGraph } from '../model/visibleGraph';
import { alignAlongFlow } from './bands';
import type {
  FramePosition,
  LayoutDirection,
  LayoutResult,
  NodePosition
} from './messages';
import { FRAME_PADDING, ROOT_PADDING } from './elkGraph';

export interface LaidOutPane {
  vg: VisibleGraph;
  layout: LayoutResult;
}

/**
 * Pane B's layout with its boxes at pane A's places: a box of B lines up with
 * the box of A showing the match of its first matched node.
 */
export function alignToPaneA(
  a: LaidOutPane,
  b: LaidOutPane,
  diff: GraphDiff,
  direction: LayoutDirection
): LayoutResult {
  const along = (p: { x: number; y: number }): number =>
    direction === 'RIGHT' ? p.x : p.y;
  const placeA = boxesOf(a.layout);
  const unitA = unitOf(a.vg);
  const unitB = unitOf(b.vg);
  const targets = new Map<string, number>();
  for (const [nodeB, nodeA] of diff.matchBA) {
    const repB = b.vg.repOf.get(nodeB);
    const repA = a.vg.repOf.get(nodeA);
    const boxB = repB === undefined ? undefined : unitB(repB).unit;
    const at = repA === undefined ? undefined : placeA.get(unitA(repA).unit);
    if (boxB !== undefined && at && !targets.has(boxB)) {
      targets.set(boxB, along(at));
    }
  }
  const placeB = boxesOf(b.layout);
  // The boxes that move, by the container they move in (null: the top level).
  const byContainer = new Map<string | null, NodePosition[]>();
  for (const [id, p] of placeB) {
    const { unit, container } = unitB(id);
    if (unit === id && !b.vg.bandOfFrame.has(id)) {
      const list = byContainer.get(container);
      if (list) {
        list.push(p);
      } else {
        byContainer.set(container, [p]);
      }
    }
  }
  const moved = new Map<string, number>();
  /** Where the furthest box ends along the flow, and where the furthest band's members end. */
  let longest = 0;
  let bandEnd = 0;
  for (const [container, boxes] of byContainer) {
    const frame = container === null ? undefined : placeB.get(container);
    const origin = frame ? along(frame) : 0;
    const local = new Map<string, number>();
    for (const p of boxes) {
      const t = targets.get(p.id);
      if (t !== undefined) {
        local.set(p.id, t - origin);
      }
    }
    const shift = (p: NodePosition, by: number): NodePosition =>
      direction === 'RIGHT' ? { ...p, x: p.x + by } : { ...p, y: p.y + by };
    const aligned = alignAlongFlow(
      {
        nodes: boxes.map(p => shift(p, -origin)),
        width: 0,
        height: 0
      },
      local,
      direction,
      frame ? FRAME_PADDING : ROOT_PADDING
    );
    for (const p of aligned.nodes) {
      const was = placeB.get(p.id) as NodePosition;
      moved.set(p.id, along(p) + origin - along(was));
    }
    const size = direction === 'RIGHT' ? aligned.width : aligned.height;
    if (frame) {
      bandEnd = Math.max(bandEnd, origin + size);
      longest = Math.max(longest, origin + size + ROOT_PADDING);
    } else {
      longest = Math.max(longest, size);
    }
  }
  return shiftMembers(b, unitB, moved, { longest, bandEnd }, direction);
}

/** Every laid-out box (node or frame) of a layout by id. */
function boxesOf(layout: LayoutResult): Map<string, NodePosition> {
  const m = new Map<string, NodePosition>(layout.nodes.map(p => [p.id, p]));
  for (const f of layout.frames ?? []) {
    m.set(f.id, { ...f, ports: [] });
  }
  return m;
}

/**
 * The box that moves with a visible item or frame (its top-level box, or its
 * band's member) and the container that box moves in (a band frame, or null).
 */
function unitOf(
  vg: VisibleGraph
): (id: string) => { unit: string; container: string | null } {
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
    while (parent !== null && !vg.bandOfFrame.has(parent)) {
      cur = parent;
      parent = parentOf.get(cur) ?? null;
    }
    return { unit: cur, container: parent };
  };
}

/**
 * B's layout with each moving box shifted by its `moved` distance and all it
 * holds with it; band frames stretch to the longest band.
 */
function shiftMembers(
  b: LaidOutPane,
  unitB: (id: string) => { unit: string; container: string | null },
  moved: ReadonlyMap<string, number>,
  ends: { longest: number; bandEnd: number },
  direction: LayoutDirection
): LayoutResult {
  const right = direction === 'RIGHT';
  const length = Math.max(
    right ? b.layout.width : b.layout.height,
    ends.longest
  );
  const shift = <T extends { id: string; x: number; y: number }>(p: T): T => {
    const d = moved.get(unitB(p.id).unit) ?? 0;
    return right ? { ...p, x: p.x + d } : { ...p, y: p.y + d };
  };
  const frames = (b.layout.frames ?? []).map((f): FramePosition => {
    if (!b.vg.bandOfFrame.has(f.id)) {
      return shift(f);
    }
    return right
      ? { ...f, width: Math.max(f.width, ends.bandEnd - f.x) }
      : { ...f, height: Math.max(f.height, ends.bandEnd - f.y) };
  });
  return {
    nodes: b.layout.nodes.map(shift),
    frames,
    width: right ? length : b.layout.width,
    height: right ? b.layout.height : length
  };
}
