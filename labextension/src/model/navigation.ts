/**
 * Keyboard navigation over the visible items: along the flow direction the
 * arrows follow edges (successor / predecessor), across it they move to the
 * nearest item on that side.
 */
import type { LayoutDirection } from '../layout/messages';

export type ArrowKey = 'ArrowUp' | 'ArrowDown' | 'ArrowLeft' | 'ArrowRight';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface NavGraph {
  /** Visible item ids with their boxes. */
  boxes: ReadonlyMap<string, Box>;
  /** Visible edges between items. */
  edges: readonly { source: string; target: string }[];
}

function centre(b: Box): { x: number; y: number } {
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

/** The item to move to, or null to stay. With nothing selected, the first item in reading order. */
export function navigate(
  graph: NavGraph,
  current: string | null,
  key: ArrowKey,
  direction: LayoutDirection
): string | null {
  if (current === null || !graph.boxes.has(current)) {
    return firstItem(graph);
  }
  const horizontal = direction === 'RIGHT';
  const forward = horizontal ? 'ArrowRight' : 'ArrowDown';
  const backward = horizontal ? 'ArrowLeft' : 'ArrowUp';
  const here = centre(graph.boxes.get(current) as Box);
  const cross = (p: { x: number; y: number }): number =>
    horizontal ? p.y : p.x;
  const along = (p: { x: number; y: number }): number =>
    horizontal ? p.x : p.y;

  if (key === forward || key === backward) {
    const next = graph.edges
      .filter(e => (key === forward ? e.source : e.target) === current)
      .map(e => (key === forward ? e.target : e.source))
      .filter(id => graph.boxes.has(id));
    if (next.length === 0) {
      return null;
    }
    // The neighbour closest to the current item's line.
    return next.reduce((best, id) =>
      Math.abs(cross(centre(graph.boxes.get(id) as Box)) - cross(here)) <
      Math.abs(cross(centre(graph.boxes.get(best) as Box)) - cross(here))
        ? id
        : best
    );
  }
  // Across the flow: the nearest item on that side, preferring the same layer.
  const sign = key === (horizontal ? 'ArrowDown' : 'ArrowRight') ? 1 : -1;
  let best: string | null = null;
  let bestScore = Infinity;
  for (const [id, box] of graph.boxes) {
    if (id === current) {
      continue;
    }
    const c = centre(box);
    const d = (cross(c) - cross(here)) * sign;
    if (d <= 0.5) {
      continue;
    }
    const score = d + 3 * Math.abs(along(c) - along(here));
    if (score < bestScore) {
      bestScore = score;
      best = id;
    }
  }
  return best;
}

function firstItem(graph: NavGraph): string | null {
  let best: string | null = null;
  let bestKey = Infinity;
  for (const [id, box] of graph.boxes) {
    const key = box.x * 1e6 + box.y;
    if (key < bestKey) {
      bestKey = key;
      best = id;
    }
  }
  return best;
}
