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
