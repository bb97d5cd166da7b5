/**
 * Side-by-side comparison: pane B's boxes moved to where their matched boxes
 * sit in pane A, along the flow and across it, so that a node and its match
 * sit at the same place; a box with no match (an added node) moves with the
 * matched box before it and takes the gaps. The boxes that move are the top level's, or each
 * phase band's members in a banded graph; B's bands are stacked at A's bands'
 * places and take at least their size, so matched members line up whole.
 */
import type { GraphDiff } from '../model/diff';
import type { VisibleGraph } from '../model/visibleGraph';
import { BAND_GAP } from './bands';
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

/** Where a box is asked to go, relative to its container (a band frame, or the canvas). */
export interface AlignTarget {
  along: number;
  across: number;
}

/** Least space kept between two boxes B's alignment moves (under ELK's own spacing). */
export const GAP = 20;

interface Point {
  x: number;
  y: number;
}

interface Size {
  width: number;
  height: number;
}

/** Along-the-flow and across-the-flow accessors for a direction. */
function axes(direction: LayoutDirection) {
  const right = direction === 'RIGHT';
  return {
    along: (p: Point): number => (right ? p.x : p.y),
    across: (p: Point): number => (right ? p.y : p.x),
    length: (s: Size): number => (right ? s.width : s.height),
    breadth: (s: Size): number => (right ? s.height : s.width),
    point: (along: number, across: number): Point =>
      right ? { x: along, y: across } : { x: across, y: along },
    size: (length: number, breadth: number): Size =>
      right
        ? { width: length, height: breadth }
        : { width: breadth, height: length }
  };
}

/**
 * Pane B's layout with its boxes at pane A's places: a box of B goes where the
 * box of A showing the match of its first matched node sits.
 */
export function alignToPaneA(
  a: LaidOutPane,
  b: LaidOutPane,
  diff: GraphDiff,
  direction: LayoutDirection
): LayoutResult {
  const ax = axes(direction);
  const placeA = boxesOf(a.layout);
  const placeB = boxesOf(b.layout);
  const unitA = unitOf(a.vg);
  const unitB = unitOf(b.vg);
  const origin = (place: Map<string, NodePosition>, c: string | null) =>
    c === null ? { x: 0, y: 0 } : place.get(c);
  const targets = new Map<string, AlignTarget>();
  for (const [nodeB, nodeA] of diff.matchBA) {
    const repB = b.vg.repOf.get(nodeB);
    const repA = a.vg.repOf.get(nodeA);
    if (repA === undefined || repB === undefined) {
      continue;
    }
    const boxA = unitA(repA);
    const boxB = unitB(repB);
    const at = placeA.get(boxA.unit);
    const o = origin(placeA, boxA.container);
    // A match in another band (a constant folded out of the backward pass) says nothing.
    if (
      at &&
      o &&
      boxA.container === boxB.container &&
      !targets.has(boxB.unit)
    ) {
      targets.set(boxB.unit, {
        along: ax.along(at) - ax.along(o),
        across: ax.across(at) - ax.across(o)
      });
    }
  }
  // The boxes that move, by the container they move in (null: the top level), in its coordinates.
  const byContainer = new Map<string | null, NodePosition[]>();
  for (const [id, p] of placeB) {
    const { unit, container } = unitB(id);
    if (unit === id && !b.vg.bandOfFrame.has(id)) {
      const o = origin(placeB, container) as Point;
      const local = { ...p, x: p.x - o.x, y: p.y - o.y };
      const list = byContainer.get(container);
      if (list) {
        list.push(local);
      } else {
        byContainer.set(container, [local]);
      }
    }
  }
  /** Each moving box's new place in its container, and each container's new box. */
  const placed = new Map<string, Point>();
  const containers = new Map<string | null, FramePosition>();
  for (const [container, boxes] of byContainer) {
    const own = origin(placeB, container) as NodePosition;
    const size = container === null ? b.layout : own;
    const aligned = alignBoxes(
      boxes,
      targets,
      direction,
      container === null ? ROOT_PADDING : FRAME_PADDING,
      ax.breadth(size)
    );
    for (const p of aligned.nodes) {
      placed.set(p.id, p);
    }
    containers.set(container, {
      id: container ?? '',
      x: container === null ? 0 : own.x,
      y: container === null ? 0 : own.y,
      ...ax.size(aligned.length, aligned.breadth)
    });
  }
  const bands = placeBands(a.layout, b, containers, direction);
  const whole = containers.get(null);
  const extent = [...bands.values(), ...(whole ? [whole] : [])];
  const width = Math.max(a.layout.width, ...extent.map(f => f.x + f.width));
  const height = Math.max(a.layout.height, ...extent.map(f => f.y + f.height));
  const moved = (p: { id: string; x: number; y: number }): Point => {
    const { unit, container } = unitB(p.id);
    const was = placeB.get(unit) as NodePosition;
    const oldOrigin = origin(placeB, container) as Point;
    const newOrigin = container === null ? oldOrigin : bands.get(container);
    const local = placed.get(unit);
    if (!local || !newOrigin) {
      return p;
    }
    return {
      x: p.x + newOrigin.x + local.x - was.x,
      y: p.y + newOrigin.y + local.y - was.y
    };
  };
  return {
    nodes: b.layout.nodes.map(p => ({ ...p, ...moved(p) })),
    frames: (b.layout.frames ?? []).map(
      f => bands.get(f.id) ?? { ...f, ...moved(f) }
    ),
    width,
    height
  };
}

/**
 * B's band frames placed: when the bands are the whole top level (stacked, as
 * stackBands draws them) each goes to its band's place in A, or just past the
 * band before it when that is further, at least as large as A's band and its
 * own aligned members; a band among other boxes keeps its place and grows.
 */
function placeBands(
  layoutA: LayoutResult,
  b: LaidOutPane,
  containers: ReadonlyMap<string | null, FramePosition>,
  direction: LayoutDirection
): Map<string, FramePosition> {
  const ax = axes(direction);
  const bandsA = new Map((layoutA.frames ?? []).map(f => [f.id, f]));
  const stacked = !containers.has(null);
  const frames = (b.layout.frames ?? [])
    .filter(f => b.vg.bandOfFrame.has(f.id))
    .sort((p, q) => ax.across(p) - ax.across(q));
  const out = new Map<string, FramePosition>();
  let next = -Infinity;
  for (const f of frames) {
    const need = containers.get(f.id) ?? f;
    if (!stacked) {
      out.set(f.id, {
        id: f.id,
        x: f.x,
        y: f.y,
        ...ax.size(
          Math.max(ax.length(need), ax.length(f)),
          Math.max(ax.breadth(need), ax.breadth(f))
        )
      });
      continue;
    }
    const inA = bandsA.get(f.id);
    const across = Math.max(inA ? ax.across(inA) : ax.across(f), next);
    const size = ax.size(
      Math.max(ax.length(need), inA ? ax.length(inA) : 0),
      Math.max(ax.breadth(need), inA ? ax.breadth(inA) : 0)
    );
    out.set(f.id, { id: f.id, ...ax.point(ax.along(f), across), ...size });
    next = across + ax.breadth(size) + BAND_GAP;
  }
  return out;
}

/**
 * Move boxes to their targets. Boxes with a target go there first, in flow
 * order, each pushed along the flow past any box placed before that it would
 * come within GAP of; then each box without one (an added node) goes where the
 * nearest targeted box before it along the flow (else after it) takes it,
 * pushed along the flow into the first free place. Matched boxes thus sit
 * where their matches do wherever the two layouts allow. None starts before
 * `padding` along the flow or before the container's first box across it;
 * `breadth` is the container's breadth before, whose margin past its last box
 * the new breadth keeps.
 */
export function alignBoxes(
  boxes: readonly NodePosition[],
  targets: ReadonlyMap<string, AlignTarget>,
  direction: LayoutDirection,
  padding: number,
  breadth: number
): { nodes: NodePosition[]; length: number; breadth: number } {
  const ax = axes(direction);
  const sorted = [...boxes].sort((p, q) => ax.along(p) - ax.along(q));
  const start = Math.min(...boxes.map(p => ax.across(p)));
  const lastEnd = Math.max(...boxes.map(p => ax.across(p) + ax.breadth(p)));
  const placed = new Map<string, NodePosition>();
  /** `p` at (along, across), pushed along the flow past every placed box it comes near. */
  const put = (p: NodePosition, along: number, across: number): void => {
    let at = Math.max(along, padding);
    const from = Math.max(across, start);
    for (let moved = true; moved;) {
      moved = false;
      for (const q of placed.values()) {
        const near =
          at < ax.along(q) + ax.length(q) + GAP &&
          ax.along(q) < at + ax.length(p) + GAP &&
          from < ax.across(q) + ax.breadth(q) + GAP &&
          ax.across(q) < from + ax.breadth(p) + GAP;
        if (near) {
          at = ax.along(q) + ax.length(q) + GAP;
          moved = true;
        }
      }
    }
    placed.set(p.id, { ...p, ...ax.point(at, from) });
  };
  for (const p of sorted) {
    const t = targets.get(p.id);
    if (t) {
      put(p, t.along, t.across);
    }
  }
  const shiftOf = (p: NodePosition): Point => {
    const q = placed.get(p.id) as NodePosition;
    return { x: q.x - p.x, y: q.y - p.y };
  };
  const guides = sorted.filter(p => targets.has(p.id));
  let guide: Point = guides.length > 0 ? shiftOf(guides[0]) : { x: 0, y: 0 };
  for (const p of sorted) {
    if (targets.has(p.id)) {
      guide = shiftOf(p);
    } else {
      put(p, ax.along(p) + ax.along(guide), ax.across(p) + ax.across(guide));
    }
  }
  const nodes = boxes.map(p => placed.get(p.id) as NodePosition);
  const length = Math.max(...nodes.map(p => ax.along(p) + ax.length(p)));
  const reach = Math.max(...nodes.map(p => ax.across(p) + ax.breadth(p)));
  return {
    nodes,
    length: length + padding,
    breadth: reach + Math.max(0, breadth - lastEnd)
  };
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
