/**
 * The top level of a graph drawn in phase bands: forward, backward and update
 * bands stacked across the flow; the backward band mirrored along it, so the
 * gradient of a layer sits beside that layer; members of the backward and
 * update bands moved along the flow to the forward member they line up with.
 * Pure functions over laid-out levels; no ELK run here.
 */
import type {
  LayoutBand,
  LayoutDirection,
  LayoutResult,
  NodePosition
} from './messages';

/** Space between two bands, across the flow. */
export const BAND_GAP = 40;
/** Least space between two members of a band, along the flow. */
export const BAND_MEMBER_GAP = 30;

export interface LaidOutBand {
  id: string;
  band: LayoutBand;
  /** The band's members, positioned inside it. */
  result: LayoutResult;
}

const ORDER: readonly LayoutBand[] = ['forward', 'backward', 'update'];

/** Along-the-flow and across-the-flow accessors for a direction. */
function axes(direction: LayoutDirection) {
  const right = direction === 'RIGHT';
  return {
    along: (p: { x: number; y: number }) => (right ? p.x : p.y),
    length: (p: { width: number; height: number }) =>
      right ? p.width : p.height,
    breadth: (p: { width: number; height: number }) =>
      right ? p.height : p.width,
    moved: <T extends { x: number; y: number }>(p: T, along: number): T =>
      right ? { ...p, x: along } : { ...p, y: along }
  };
}

/** Mirror a level along the flow (every level of the backward band runs the other way). */
export function mirrorLevel(
  result: LayoutResult,
  direction: LayoutDirection
): LayoutResult {
  const ax = axes(direction);
  const total = ax.length(result);
  const flip = (p: NodePosition): NodePosition => {
    const moved = ax.moved(p, total - ax.along(p) - ax.length(p));
    const size = ax.length(p);
    return {
      ...moved,
      ports: p.ports.map(q =>
        direction === 'RIGHT'
          ? { ...q, x: size - q.x }
          : { ...q, y: size - q.y }
      )
    };
  };
  return { ...result, nodes: result.nodes.map(flip) };
}

/**
 * Move members along the flow to the places in `targets` (their counterparts'),
 * in flow order, never closer than BAND_MEMBER_GAP to a member placed before
 * that overlaps them across the flow (members side by side, as in a layer,
 * do not push each other along); a member with no target keeps the shift of
 * the one before it.
 */
export function alignAlongFlow(
  result: LayoutResult,
  targets: ReadonlyMap<string, number>,
  direction: LayoutDirection,
  padding: number
): LayoutResult {
  const ax = axes(direction);
  const across = (p: NodePosition) => (direction === 'RIGHT' ? p.y : p.x);
  const sorted = [...result.nodes].sort((a, b) => ax.along(a) - ax.along(b));
  let shift = 0;
  let end = padding;
  const placed = new Map<string, NodePosition>();
  const done: NodePosition[] = [];
  for (const p of sorted) {
    const want = targets.get(p.id);
    let at = Math.max(want ?? ax.along(p) + shift, padding);
    for (const q of done) {
      const side =
        across(p) < across(q) + ax.breadth(q) &&
        across(q) < across(p) + ax.breadth(p);
      if (side) {
        at = Math.max(at, ax.along(q) + ax.length(q) + BAND_MEMBER_GAP);
      }
    }
    shift = at - ax.along(p);
    end = Math.max(end, at + ax.length(p));
    const moved = ax.moved(p, at);
    placed.set(p.id, moved);
    done.push(moved);
  }
  const nodes = result.nodes.map(p => placed.get(p.id) as NodePosition);
  // As long as its members now reach (moved back, they leave no blank tail).
  const total = sorted.length > 0 ? end + padding : ax.length(result);
  return direction === 'RIGHT'
    ? { ...result, nodes, width: total }
    : { ...result, nodes, height: total };
}

/**
 * Stack the bands (forward first), each as long as its own members, and return
 * the top level's layout, plus each band's members re-placed (aligned; the
 * backward band comes mirrored). `alignOf` maps a
 * member of a backward or update band to the forward member it lines up with;
 * `padding` is the band frame's inner padding along the flow.
 */
export function stackBands(
  bands: readonly LaidOutBand[],
  alignOf: ReadonlyMap<string, string>,
  direction: LayoutDirection,
  padding: number
): { result: LayoutResult; members: Map<string, LayoutResult> } {
  const ax = axes(direction);
  const ordered = [...bands].sort(
    (a, b) => ORDER.indexOf(a.band) - ORDER.indexOf(b.band)
  );
  const forward = ordered.find(b => b.band === 'forward');
  const centre = new Map<string, number>();
  for (const p of forward?.result.nodes ?? []) {
    centre.set(p.id, ax.along(p) + ax.length(p) / 2);
  }
  const members = new Map<string, LayoutResult>();
  for (const b of ordered) {
    let result = b.result;
    if (b.band !== 'forward') {
      const targets = new Map<string, number>();
      for (const p of result.nodes) {
        const to = alignOf.get(p.id);
        const c = to === undefined ? undefined : centre.get(to);
        if (c !== undefined) {
          targets.set(p.id, c - ax.length(p) / 2);
        }
      }
      result = alignAlongFlow(result, targets, direction, padding);
    }
    members.set(b.id, result);
  }
  // Each band is as long as its own members (not the longest band's): no blank stretch.
  const longest = Math.max(...[...members.values()].map(r => ax.length(r)));
  const nodes: NodePosition[] = [];
  let across = 0;
  let breadth = 0;
  for (const b of ordered) {
    const r = members.get(b.id) as LayoutResult;
    const size = { width: r.width, height: r.height };
    nodes.push({
      id: b.id,
      x: direction === 'RIGHT' ? 0 : across,
      y: direction === 'RIGHT' ? across : 0,
      ...size,
      ports: []
    });
    across += ax.breadth(size) + BAND_GAP;
    breadth = across - BAND_GAP;
  }
  return {
    result: {
      nodes,
      frames: [],
      width: direction === 'RIGHT' ? longest : breadth,
      height: direction === 'RIGHT' ? breadth : longest
    },
    members
  };
}
