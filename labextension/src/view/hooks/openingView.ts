/**
 * Where a newly drawn graph opens, and how tall its canvas wants to be: pure functions
 * of the layout's size, the canvas and the smallest node text, so that no node text
 * is drawn below MIN_TEXT_PX at the opening zoom.
 */
import type { Box } from '../../model/navigation';
import type { LayoutDirection } from '../../layout/messages';

/** The smallest node text, in CSS pixels on screen, a graph opens with. */
export const MIN_TEXT_PX = 11;
/** A small graph is not blown up past this when fitted. */
export const MAX_OPEN_ZOOM = 1.25;
/** Margin around the graph when it opens, in screen pixels. */
export const OPEN_PAD_PX = 20;
/** Where the start of a long graph opens: clear of the zoom buttons at the canvas's left. */
export const START_PAD_PX = 56;
/** An auto-sized canvas stays within these heights (then the graph scrolls). */
export const AUTO_MIN_CANVAS_PX = 200;
export const AUTO_MAX_CANVAS_PX = 560;

export interface Size {
  width: number;
  height: number;
}

export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

/** The least zoom at which text of `fontPx` CSS pixels is drawn MIN_TEXT_PX tall. */
export function readableZoom(fontPx: number): number {
  return fontPx > 0 ? MIN_TEXT_PX / fontPx : 1;
}

/** The zoom that fits the whole graph in the canvas (at most MAX_OPEN_ZOOM). */
export function fitZoom(graph: Size, canvas: Size): number {
  const w = Math.max(1, canvas.width - 2 * OPEN_PAD_PX);
  const h = Math.max(1, canvas.height - 2 * OPEN_PAD_PX);
  return Math.min(
    MAX_OPEN_ZOOM,
    w / Math.max(1, graph.width),
    h / Math.max(1, graph.height)
  );
}

/** Offset along one axis that shows `lo..hi` (graph units) centred, or from `lo` when it does not fit. */
function place(
  lo: number,
  hi: number,
  graphLen: number,
  canvasLen: number,
  zoom: number
): number {
  if (graphLen * zoom <= canvasLen - 2 * OPEN_PAD_PX) {
    return (canvasLen - graphLen * zoom) / 2;
  }
  const centre = ((lo + hi) / 2) * zoom;
  // Centre the box, but do not show space before the graph's start or past its end.
  const x = canvasLen / 2 - centre;
  return Math.min(
    OPEN_PAD_PX,
    Math.max(canvasLen - OPEN_PAD_PX - graphLen * zoom, x)
  );
}

/**
 * The opening view: the whole graph when it fits at a readable zoom; else the readable
 * zoom centred on `focus` (a selected or first-NaN item) when given, or on `start`
 * (the first input) placed at the start of the flow.
 */
export function openingViewport(
  graph: Size,
  canvas: Size,
  direction: LayoutDirection,
  readable: number,
  focus: Box | null,
  start: Box | null
): Viewport {
  const fitted = fitZoom(graph, canvas);
  if (fitted >= readable) {
    return {
      x: (canvas.width - graph.width * fitted) / 2,
      y: (canvas.height - graph.height * fitted) / 2,
      zoom: fitted
    };
  }
  const zoom = Math.min(readable, MAX_OPEN_ZOOM);
  const right = direction === 'RIGHT';
  const target = focus ?? start;
  // Along the flow: the focus centred, or the start at the canvas's leading edge.
  const along = (
    lo: number,
    len: number,
    graphLen: number,
    canvasLen: number
  ) =>
    focus
      ? place(lo, lo + len, graphLen, canvasLen, zoom)
      : (right ? START_PAD_PX : OPEN_PAD_PX) - (start ? lo : 0) * zoom;
  // Across the flow: the whole graph centred when it fits, else the target.
  const across = (
    lo: number,
    len: number,
    graphLen: number,
    canvasLen: number
  ) =>
    target
      ? place(lo, lo + len, graphLen, canvasLen, zoom)
      : place(0, graphLen, graphLen, canvasLen, zoom);
  const t = target ?? { x: 0, y: 0, width: 0, height: 0 };
  return right
    ? {
        x: along(t.x, t.width, graph.width, canvas.width),
        y: across(t.y, t.height, graph.height, canvas.height),
        zoom
      }
    : {
        x: across(t.x, t.width, graph.width, canvas.width),
        y: along(t.y, t.height, graph.height, canvas.height),
        zoom
      };
}

/**
 * The canvas height that shows the graph at its opening zoom across the flow: a graph
 * that fits the width at a readable zoom gets its fitted height, a longer one the
 * height of its cross-section at the readable zoom; within AUTO_MIN/MAX_CANVAS_PX.
 */
export function autoCanvasHeight(
  graph: Size,
  canvasWidth: number,
  readable: number
): number {
  const byWidth = Math.min(
    MAX_OPEN_ZOOM,
    Math.max(1, canvasWidth - 2 * OPEN_PAD_PX) / Math.max(1, graph.width)
  );
  const zoom =
    byWidth >= readable ? byWidth : Math.min(readable, MAX_OPEN_ZOOM);
  const want = graph.height * zoom + 2 * OPEN_PAD_PX;
  return Math.round(
    Math.min(AUTO_MAX_CANVAS_PX, Math.max(AUTO_MIN_CANVAS_PX, want))
  );
}

/** The first input in the flow's direction: among items nothing flows into, the one nearest the start. */
export function startItem(
  boxes: ReadonlyMap<string, Box>,
  edges: readonly { target: string }[],
  direction: LayoutDirection
): Box | null {
  const fed = new Set(edges.map(e => e.target));
  let best: Box | null = null;
  const key = (b: Box): [number, number] =>
    direction === 'RIGHT' ? [b.x, b.y] : [b.y, b.x];
  for (const [id, b] of boxes) {
    if (fed.has(id)) {
      continue;
    }
    if (
      best === null ||
      key(b)[0] < key(best)[0] ||
      (key(b)[0] === key(best)[0] && key(b)[1] < key(best)[1])
    ) {
      best = b;
    }
  }
  return best;
}
