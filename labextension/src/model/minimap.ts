/**
 * The minimap's place on the canvas: its box (shaped like the graph, a small share of
 * the canvas) and whether it is drawn at all (not on a canvas too small to spare it).
 */

/** Below these canvas sizes the minimap would hide too much of the graph: off unless asked for. */
export const MINIMAP_MIN_CANVAS_WIDTH = 420;
export const MINIMAP_MIN_CANVAS_HEIGHT = 240;

/**
 * The minimap takes at most this share of the canvas in each direction, in its
 * far corner from where a graph opens (the flow's start, or a focus centred), so
 * it never covers the node the viewer opened on.
 */
export const MAX_WIDTH_SHARE = 0.2;
export const MAX_HEIGHT_SHARE = 0.25;
const MAX_WIDTH_PX = 200;
const MAX_HEIGHT_PX = 120;
/** The box is never smaller than this... */
const MIN_SIDE_PX = 40;
/** ...nor, where the canvas has room, flatter or thinner than this, whatever the graph's shape. */
const SHAPE_MIN_WIDTH_PX = 90;
const SHAPE_MIN_HEIGHT_PX = 56;

/**
 * The minimap's box: shaped like the graph (so a long chain is not a thin line in a
 * large empty box), within a fifth of the canvas width and a quarter of its height.
 */
export function minimapSize(
  graphW: number,
  graphH: number,
  canvasW: number,
  canvasH: number
): { width: number; height: number } {
  const maxW = Math.max(
    MIN_SIDE_PX,
    Math.floor(Math.min(MAX_WIDTH_PX, canvasW * MAX_WIDTH_SHARE))
  );
  const maxH = Math.max(
    MIN_SIDE_PX,
    Math.floor(Math.min(MAX_HEIGHT_PX, canvasH * MAX_HEIGHT_SHARE))
  );
  if (graphW <= 0 || graphH <= 0) {
    return { width: maxW, height: maxH };
  }
  const aspect = graphW / graphH;
  if (aspect >= maxW / maxH) {
    return {
      width: maxW,
      height: Math.min(
        maxH,
        Math.max(SHAPE_MIN_HEIGHT_PX, Math.round(maxW / aspect))
      )
    };
  }
  return {
    width: Math.min(
      maxW,
      Math.max(SHAPE_MIN_WIDTH_PX, Math.round(maxH * aspect))
    ),
    height: maxH
  };
}

/**
 * Whether the minimap is drawn. `choice` is the user's toggle (null: not touched),
 * which always wins; untouched, the minimap shows once the canvas is big enough
 * (a canvas not measured yet has none, rather than one that flashes and goes) and
 * the graph, drawn at `zoom` (the least readable one), is too big for the canvas:
 * a graph seen whole needs no map, which would only cover its corner.
 */
export function minimapShown(
  choice: boolean | null,
  canvasW: number,
  canvasH: number,
  graph: { width: number; height: number; zoom: number } | null = null
): boolean {
  if (choice !== null) {
    return choice;
  }
  const room =
    canvasW >= MINIMAP_MIN_CANVAS_WIDTH && canvasH >= MINIMAP_MIN_CANVAS_HEIGHT;
  const overflows =
    graph === null ||
    graph.width * graph.zoom > canvasW * OVERFLOW_SHARE ||
    graph.height * graph.zoom > canvasH * OVERFLOW_SHARE;
  return room && overflows;
}

/** How much larger than the canvas a graph is before the untouched minimap shows. */
const OVERFLOW_SHARE = 1.5;
