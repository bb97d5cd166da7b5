/** Following a node the host moves to (a debugger's step) without moving the view needlessly. */
import type { Viewport } from '@xyflow/react';
import type { Box } from '../model/navigation';

/** A rectangle on the canvas, in screen pixels from its top-left corner. */
export interface ScreenRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Whether a box drawn at this viewport overlaps a rectangle of the canvas (the minimap). */
function covered(b: Box, vp: Viewport, r: ScreenRect | null): boolean {
  if (r === null) {
    return false;
  }
  const left = b.x * vp.zoom + vp.x;
  const top = b.y * vp.zoom + vp.y;
  return (
    left < r.x + r.width &&
    left + b.width * vp.zoom > r.x &&
    top < r.y + r.height &&
    top + b.height * vp.zoom > r.y
  );
}

/**
 * Whether a box lies inside the canvas's viewport with `margin` (a fraction of it) to spare,
 * and clear of `hidden` (what is drawn over the canvas there: the minimap).
 */
export function wellInside(
  b: Box,
  vp: Viewport,
  canvasW: number,
  canvasH: number,
  margin = 0.1,
  hidden: ScreenRect | null = null
): boolean {
  const left = b.x * vp.zoom + vp.x;
  const top = b.y * vp.zoom + vp.y;
  const mx = canvasW * margin;
  const my = canvasH * margin;
  return (
    canvasW > 0 &&
    canvasH > 0 &&
    left >= mx &&
    top >= my &&
    left + b.width * vp.zoom <= canvasW - mx &&
    top + b.height * vp.zoom <= canvasH - my &&
    !covered(b, vp, hidden)
  );
}

/**
 * The viewport that brings a box just inside the margin on the side opposite to where it left
 * the view (a node stepping along a chain then has the stretch ahead of it on screen, and the
 * view moves once every few steps, not at each), at the same zoom; null when the box is not
 * near the view, does not fit inside the margins, or would land under `hidden` (then centre it).
 */
export function followViewport(
  b: Box,
  vp: Viewport,
  canvasW: number,
  canvasH: number,
  margin = 0.1,
  hidden: ScreenRect | null = null
): Viewport | null {
  const left = b.x * vp.zoom + vp.x;
  const top = b.y * vp.zoom + vp.y;
  const right = left + b.width * vp.zoom;
  const bottom = top + b.height * vp.zoom;
  const mx = canvasW * margin;
  const my = canvasH * margin;
  const near =
    right > -canvasW &&
    left < 2 * canvasW &&
    bottom > -canvasH &&
    top < 2 * canvasH;
  const fits =
    right - left <= canvasW - 2 * mx && bottom - top <= canvasH - 2 * my;
  if (!near || !fits || canvasW <= 0 || canvasH <= 0) {
    return null;
  }
  const dx =
    left < mx ? canvasW - mx - right : right > canvasW - mx ? mx - left : 0;
  const dy =
    top < my ? canvasH - my - bottom : bottom > canvasH - my ? my - top : 0;
  const next = { x: vp.x + dx, y: vp.y + dy, zoom: vp.zoom };
  return covered(b, next, hidden) ? null : next;
}
