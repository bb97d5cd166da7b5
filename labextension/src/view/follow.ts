/** Following a node the host moves to (a debugger's step) without moving the view needlessly. */
import type { Viewport } from '@xyflow/react';
import type { Box } from '../model/navigation';

/** Whether a box lies inside the canvas's viewport with `margin` (a fraction of it) to spare. */
export function wellInside(
  b: Box,
  vp: Viewport,
  canvasW: number,
  canvasH: number,
  margin = 0.1
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
    top + b.height * vp.zoom <= canvasH - my
  );
}

/**
 * The viewport that brings a box just inside the margin on the side opposite to where it left
 * the view (a node stepping along a chain then has the stretch ahead of it on screen, and the
 * view moves once every few steps, not at each), at the same zoom; null when the box is not
 * near the view or does not fit inside the margins (then centre it).
 */
export function followViewport(
  b: Box,
  vp: Viewport,
  canvasW: number,
  canvasH: number,
  margin = 0.1
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
  return { x: vp.x + dx, y: vp.y + dy, zoom: vp.zoom };
}
