/**
 * Tells the page what is drawn: data-layout-state (and timing figures) on the pane's
 * root, 'done' only once the laid-out nodes are on screen; moves the view first.
 */
import { useEffect, useRef } from 'react';
import type { LayoutClient } from '../../layout/client';
import type { LayoutState, ViewerState } from '../../model/viewerState';
import type { VisibleGraph } from '../../model/visibleGraph';

export interface PaneTiming {
  /** Milliseconds from the request to the drawn layout. */
  drawMs: number;
  /** Milliseconds from mounting the pane to the first drawn layout. */
  firstDrawMs: number | null;
}

export type LayoutStateListener = (
  state: LayoutState,
  error: string | null,
  timing: PaneTiming | null
) => void;

export function useDrawReport(
  rootRef: React.RefObject<HTMLDivElement>,
  state: ViewerState,
  shownVg: VisibleGraph,
  client: LayoutClient,
  requestedAt: React.MutableRefObject<number>,
  /** Moves the view for the new layout; resolves true when it moved. */
  moveView: () => Promise<boolean>,
  onLayoutState: LayoutStateListener | undefined
): void {
  const mountedAt = useRef(performance.now());
  const firstDrawn = useRef<number | null>(null);
  useEffect(() => {
    const el = rootRef.current;
    if (state.layoutState !== 'done') {
      el?.setAttribute('data-layout-state', state.layoutState);
      onLayoutState?.(state.layoutState, state.error, null);
      return;
    }
    let cancelled = false;
    const finish = (): void => {
      if (cancelled) {
        return;
      }
      const now = performance.now();
      if (firstDrawn.current === null) {
        firstDrawn.current = now - mountedAt.current;
      }
      const timing = {
        drawMs: now - requestedAt.current,
        firstDrawMs: firstDrawn.current
      };
      if (el) {
        el.setAttribute('data-layout-state', 'done');
        el.setAttribute('data-draw-ms', timing.drawMs.toFixed(1));
        el.setAttribute('data-first-draw-ms', timing.firstDrawMs.toFixed(1));
        el.setAttribute(
          'data-draw-count',
          String(Number(el.getAttribute('data-draw-count') ?? 0) + 1)
        );
        el.setAttribute('data-visible-items', String(shownVg.items.length));
        // The layout's own share of drawMs (in the worker), for the benchmark.
        el.setAttribute('data-layout-ms', String(client.lastElapsedMs ?? ''));
      }
      onLayoutState?.('done', null, timing);
    };
    requestAnimationFrame(() => {
      if (cancelled) {
        return;
      }
      void moveView().then(moved => {
        // A task queued from an animation frame runs once that frame is rendered:
        // the new nodes are on screen. A moved viewport is drawn one frame later.
        if (moved) {
          requestAnimationFrame(finish);
        } else {
          setTimeout(finish, 0);
        }
      });
    });
    return () => {
      cancelled = true;
    };
  }, [state.layoutState, state.layout, state.error]);
}
