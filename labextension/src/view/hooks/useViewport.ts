/** Where the canvas looks: fitting, the readable start of a long graph, centring and keeping items in view. */
import { useCallback, useEffect } from 'react';
import { useReactFlow, useStore } from '@xyflow/react';
import type { Box } from '../../model/navigation';
import type { LayoutResult, LayoutDirection } from '../../layout/messages';

// A small graph is not blown up past a readable size when fitted.
export const FIT_OPTIONS = { padding: 0.15, duration: 0, maxZoom: 1.25 };

/** Below this zoom a fitted graph is unreadable: show its start at READABLE_ZOOM instead. */
const MIN_FIT_ZOOM = 0.35;
const READABLE_ZOOM = 0.6;

export interface PaneViewport {
  canvasW: number;
  canvasH: number;
  fit: () => void;
  /** Centre a drawn item (at a readable zoom); false when it is not drawn. */
  centreOn: (id: string) => boolean;
  /** Fit a newly drawn graph, or show the start of one too long to read fitted. */
  openView: () => Promise<void>;
}

export function useViewport(
  boxes: ReadonlyMap<string, Box>,
  layout: LayoutResult | null,
  direction: LayoutDirection,
  canvasRef: React.RefObject<HTMLDivElement>,
  /** The item whose box is kept whole in view when the canvas changes size, if any. */
  keptInView: string | null
): PaneViewport {
  const flow = useReactFlow();
  const canvasW = useStore(s => s.width);
  const canvasH = useStore(s => s.height);

  const centreOn = useCallback(
    (id: string): boolean => {
      const b = boxes.get(id) ?? layout?.frames?.find(f => f.id === id);
      if (!b) {
        return false;
      }
      void flow.setCenter(b.x + b.width / 2, b.y + b.height / 2, {
        zoom: Math.max(flow.getZoom(), 0.8),
        duration: 0
      });
      return true;
    },
    [boxes, layout, flow]
  );

  /** Centre a drawn item when the canvas (narrowed by the inspector) does not show it whole. */
  const keepInView = useCallback(
    (id: string): void => {
      const b = boxes.get(id);
      if (!b || canvasW <= 0 || canvasH <= 0) {
        return;
      }
      const { x, y, zoom } = flow.getViewport();
      const left = b.x * zoom + x;
      const top = b.y * zoom + y;
      const inside =
        left >= 0 &&
        top >= 0 &&
        left + b.width * zoom <= canvasW &&
        top + b.height * zoom <= canvasH;
      if (!inside) {
        void flow.setCenter(b.x + b.width / 2, b.y + b.height / 2, {
          zoom,
          duration: 0
        });
      }
    },
    [boxes, flow, canvasW, canvasH]
  );
  useEffect(() => {
    if (keptInView) {
      keepInView(keptInView);
    }
    // Only when the canvas changes size (the inspector opened, resized or folded).
  }, [canvasW, canvasH]);

  /**
   * A long graph fitted whole is a row of dots: show its start (the inputs) at a
   * readable zoom instead, centred across the flow. Fit shows the whole again.
   */
  const readableStart = (): void => {
    const canvas = canvasRef.current;
    if (!layout || !canvas || flow.getZoom() >= MIN_FIT_ZOOM) {
      return;
    }
    const z = READABLE_ZOOM;
    const pad = 20;
    const w = canvas.clientWidth;
    const h = canvas.clientHeight;
    void flow.setViewport(
      direction === 'RIGHT'
        ? { x: pad, y: h / 2 - (layout.height / 2) * z, zoom: z }
        : { x: w / 2 - (layout.width / 2) * z, y: pad, zoom: z },
      { duration: 0 }
    );
  };

  const openView = (): Promise<void> =>
    Promise.resolve(flow.fitView(FIT_OPTIONS)).then(readableStart);

  const fit = useCallback(() => void flow.fitView(FIT_OPTIONS), [flow]);
  return { canvasW, canvasH, fit, centreOn, openView };
}
