/** A grip under the viewer that drags its height (taller or shorter, never below a floor). */
import { useCallback, useState } from 'react';
import type React from 'react';

/** The least height a dragged viewer keeps. */
const MIN_DRAGGED_PX = 160;

export function useDragHeight(bodyRef: React.RefObject<HTMLDivElement>): {
  dragged: number | null;
  onGripPointerDown: (e: React.PointerEvent<HTMLDivElement>) => void;
} {
  const [dragged, setDragged] = useState<number | null>(null);
  const onGripPointerDown = useCallback(
    (e: React.PointerEvent<HTMLDivElement>) => {
      const body = bodyRef.current;
      if (!body || e.button !== 0) {
        return;
      }
      e.preventDefault();
      const grip = e.currentTarget;
      const startY = e.clientY;
      const startH = body.offsetHeight;
      grip.setPointerCapture(e.pointerId);
      const move = (ev: PointerEvent): void =>
        setDragged(Math.max(MIN_DRAGGED_PX, startH + ev.clientY - startY));
      const up = (): void => {
        grip.removeEventListener('pointermove', move);
        grip.removeEventListener('pointerup', up);
        grip.removeEventListener('pointercancel', up);
      };
      grip.addEventListener('pointermove', move);
      grip.addEventListener('pointerup', up);
      grip.addEventListener('pointercancel', up);
    },
    [bodyRef]
  );
  return { dragged, onGripPointerDown };
}
