/** Where the canvas looks: fitting, the readable start of a long graph, centring and keeping items in view. */
import { useCallback, useEffect, useRef } from 'react';
import { useReactFlow, useStore, type Viewport } from '@xyflow/react';
import type { Box } from '../../model/navigation';
import type { LayoutResult, LayoutDirection } from '../../layout/messages';
import {
  MAX_OPEN_ZOOM,
  autoCanvasHeight,
  openingViewport,
  readableZoom
} from './openingView';

// A small graph is not blown up past a readable size when fitted.
export const FIT_OPTIONS = {
  padding: 0.15,
  duration: 0,
  maxZoom: MAX_OPEN_ZOOM
};

/** The smallest font of the node text drawn in `canvas` (its own font when none is drawn yet). */
function smallestTextPx(canvas: HTMLElement): number {
  let px = parseFloat(getComputedStyle(canvas).fontSize) || 13;
  for (const sel of ['.vf-node-op', '.vf-node-shape', '.vf-group-name']) {
    const el = canvas.querySelector(sel);
    if (el) {
      px = Math.min(px, parseFloat(getComputedStyle(el).fontSize) || px);
    }
  }
  return px;
}

/** Resolves once `el` has changed height from `before` (or after a few frames). */
function resized(el: HTMLElement, before: number): Promise<void> {
  return new Promise(resolve => {
    let frames = 0;
    const check = (): void => {
      if (el.clientHeight !== before || ++frames > 10) {
        resolve();
      } else {
        requestAnimationFrame(check);
      }
    };
    requestAnimationFrame(check);
  });
}

export interface PaneViewport {
  canvasW: number;
  canvasH: number;
  fit: () => void;
  /** Centre a drawn item (at a readable zoom at least); false when it is not drawn. */
  centreOn: (id: string) => boolean;
  /** The user moved the view: an item centred before is no longer kept centred. */
  forgetCentred: () => void;
  /** Take another pane's viewport (compare: the two sides pan and zoom together). */
  follow: (vp: Viewport) => void;
  /** Open a newly drawn graph legibly (see below). */
  openView: (
    focus: Box | null,
    start: Box | null,
    wantCanvasHeight: ((px: number) => void) | undefined
  ) => Promise<void>;
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

  /** The item last centred on purpose: kept centred while the inspector opens beside it. */
  const centred = useRef<string | null>(null);
  const centreOn = useCallback(
    (id: string): boolean => {
      const b = boxes.get(id) ?? layout?.frames?.find(f => f.id === id);
      if (!b) {
        return false;
      }
      centred.current = id;
      // At least the zoom that draws node text readably.
      const canvas = canvasRef.current;
      const readable = canvas ? readableZoom(smallestTextPx(canvas)) : 1;
      void flow.setCenter(b.x + b.width / 2, b.y + b.height / 2, {
        zoom: Math.max(flow.getZoom(), Math.min(readable, MAX_OPEN_ZOOM)),
        duration: 0
      });
      return true;
    },
    [boxes, layout, flow, canvasRef]
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
    const b = keptInView ? boxes.get(keptInView) : undefined;
    if (b && keptInView === centred.current) {
      void flow.setCenter(b.x + b.width / 2, b.y + b.height / 2, {
        zoom: flow.getZoom(),
        duration: 0
      });
    } else if (keptInView) {
      keepInView(keptInView);
    }
    // Only when the canvas changes size (the inspector opened, resized or folded).
  }, [canvasW, canvasH]);

  /**
   * Open a newly drawn graph legibly: size an auto-height canvas to it (told through
   * `wantCanvasHeight`), then fit it whole if its text stays readable, else show the
   * focus item or the first input at the least readable zoom. Fit shows the whole.
   */
  const openView = async (
    focus: Box | null,
    start: Box | null,
    wantCanvasHeight: ((px: number) => void) | undefined
  ): Promise<void> => {
    const canvas = canvasRef.current;
    if (!layout || !canvas) {
      return;
    }
    const readable = readableZoom(smallestTextPx(canvas));
    if (wantCanvasHeight) {
      const want = autoCanvasHeight(layout, canvas.clientWidth, readable);
      if (Math.abs(want - canvas.clientHeight) > 2) {
        const before = canvas.clientHeight;
        wantCanvasHeight(want);
        await resized(canvas, before);
      }
    }
    const size = { width: canvas.clientWidth, height: canvas.clientHeight };
    await flow.setViewport(
      openingViewport(layout, size, direction, readable, focus, start),
      { duration: 0 }
    );
  };

  const fit = useCallback(() => void flow.fitView(FIT_OPTIONS), [flow]);
  const forgetCentred = useCallback(() => {
    centred.current = null;
  }, []);
  const follow = useCallback(
    (vp: Viewport) => {
      centred.current = null;
      void flow.setViewport(vp, { duration: 0 });
    },
    [flow]
  );
  return { canvasW, canvasH, fit, centreOn, forgetCentred, openView, follow };
}
