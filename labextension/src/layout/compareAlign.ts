/**
 * Side-by-side comparison: pane B's boxes moved along the flow to where their
 * matched boxes sit in pane A, so a node and its match line up. The boxes that
 * move are the top level's, or each phase band's members in a banded graph
 * (the bands themselves always span the whole flow).
 */
import type { GraphDiff } from '../model/diff';
import type { VisibleGraph } from '../model/visibleGraph';
import { BAND_MEMBER_GAP } from './bands';
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
    if (repA === undefined || repB === undefined) {
      continue;
    }
    const boxA = unitA(repA);
    const boxB = unitB(repB);
    const at = placeA.get(boxA.unit);
    // A match in another band (a constant folded out of the backward pass) says nothing.
    if (at && boxA.container === boxB.container && !targets.has(boxB.unit)) {
      targets.set(boxB.unit, along(at));
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
    const aligned = alignColumns(
      boxes.map(p => shift(p, -origin)),
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

/**
 * Move boxes along the flow column by column (a column: boxes side by side
 * across the flow, as a layered layout places them), each column by the shift
 * most of its boxes with a target ask for (ties: the smallest), in flow order
 * and never closer than BAND_MEMBER_GAP to the column before; a column with no
 * target keeps the shift of the one before.
 */
export function alignColumns(
  boxes: readonly NodePosition[],
  targets: ReadonlyMap<string, number>,
  direction: LayoutDirection,
  padding: number
): { nodes: NodePosition[]; width: number; height: number } {
  const right = direction === 'RIGHT';
  const along = (p: NodePosition): number => (right ? p.x : p.y);
  const length = (p: NodePosition): number => (right ? p.width : p.height);
  const sorted = [...boxes].sort((a, b) => along(a) - along(b));
  const columns: NodePosition[][] = [];
  let columnEnd = -Infinity;
  for (const p of sorted) {
    const opens = along(p) >= columnEnd;
    if (opens) {
      columns.push([p]);
    } else {
      columns[columns.length - 1].push(p);
    }
    const pEnd = along(p) + length(p);
    columnEnd = opens ? pEnd : Math.max(columnEnd, pEnd);
  }
  const nodes: NodePosition[] = [];
  let shift = 0;
  let end = padding - BAND_MEMBER_GAP;
  for (const column of columns) {
    // Sorted by start: the first starts the column; loops, not spreads (wide columns).
    const start = along(column[0]);
    let stop = start;
    for (const p of column) {
      stop = Math.max(stop, along(p) + length(p));
    }
    shift = Math.max(
      commonShift(column, targets, along) ?? shift,
      end + BAND_MEMBER_GAP - start
    );
    end = stop + shift;
    for (const p of column) {
      nodes.push(right ? { ...p, x: p.x + shift } : { ...p, y: p.y + shift });
    }
  }
  const total = end + padding;
  return right
    ? { nodes, width: total, height: 0 }
    : { nodes, width: 0, height: total };
}

/** The shift most targeted boxes of a column ask for (ties: the smallest), or null. */
function commonShift(
  column: readonly NodePosition[],
  targets: ReadonlyMap<string, number>,
  along: (p: NodePosition) => number
): number | null {
  /** Shifts by the pixel, each with its first exact value and its count. */
  const votes = new Map<number, { shift: number; count: number }>();
  for (const p of column) {
    const t = targets.get(p.id);
    if (t !== undefined) {
      const d = t - along(p);
      const v = votes.get(Math.round(d));
      if (v) {
        v.count++;
      } else {
        votes.set(Math.round(d), { shift: d, count: 1 });
      }
    }
  }
  let best: { shift: number; count: number } | null = null;
  for (const v of votes.values()) {
    if (
      !best ||
      v.count > best.count ||
      (v.count === best.count && Math.abs(v.shift) < Math.abs(best.shift))
    ) {
      best = v;
    }
  }
  return best?.shift ?? null;
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
