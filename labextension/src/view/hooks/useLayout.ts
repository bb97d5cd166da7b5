/** Layout requests to the worker: one per change of the visible graph or direction. */
import { useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { initialViewerState, viewerReducer } from '../../model/viewerState';
import type { ViewerState } from '../../model/viewerState';
import type { VisibleGraph } from '../../model/visibleGraph';
import { LayoutCancelledError, type LayoutClient } from '../../layout/client';
import { layoutInputFromVisible } from '../../layout/fromModel';
import type { LayoutDirection } from '../../layout/messages';

/** Width of one character of an edge label (10px monospace) and the label's margin. */
const LABEL_CHAR_PX = 6.2;
const LABEL_MARGIN_PX = 30;
const MAX_LAYER_GAP = 220;

/**
 * Space between layers so that the edge labels (drawn mid-edge, horizontally) fit
 * between the nodes when the graph flows to the right. Pure function of the labels.
 */
export function layerGapFor(
  labels: Iterable<string>,
  direction: LayoutDirection
): number {
  if (direction !== 'RIGHT') {
    return 60;
  }
  let longest = 0;
  for (const l of labels) {
    longest = Math.max(longest, l.length);
  }
  return Math.min(
    MAX_LAYER_GAP,
    Math.max(60, Math.ceil(longest * LABEL_CHAR_PX + LABEL_MARGIN_PX))
  );
}

/** The options of a layout request for a visible graph. */
export function layoutOptions(
  vg: VisibleGraph,
  direction: LayoutDirection
): { direction: LayoutDirection; layerGap: number } {
  return {
    direction,
    layerGap: layerGapFor(
      vg.edges.map(e => e.label),
      direction
    )
  };
}

export interface PaneLayout {
  client: LayoutClient;
  state: ViewerState;
  /**
   * The visible graph that state.layout was computed for. The canvas keeps drawing
   * it (and its decorations) until the next layout arrives, so that a change of the
   * visible graph does not make React Flow redraw a half-updated graph first.
   */
  shownVg: VisibleGraph;
  /** performance.now() of the latest request. */
  requestedAt: React.MutableRefObject<number>;
}

export function useLayout(
  vg: VisibleGraph,
  direction: LayoutDirection,
  createLayoutClient: () => LayoutClient
): PaneLayout {
  const client = useMemo(() => createLayoutClient(), [createLayoutClient]);
  useEffect(() => () => client.dispose(), [client]);
  const [state, dispatch] = useReducer(viewerReducer, initialViewerState);
  const [drawnVg, setDrawnVg] = useState<VisibleGraph | null>(null);
  const seq = useRef(0);
  const requestedAt = useRef(0);

  useEffect(() => {
    const mySeq = ++seq.current;
    requestedAt.current = performance.now();
    dispatch({ type: 'layout-started', seq: mySeq });
    client
      .request(layoutInputFromVisible(vg), layoutOptions(vg, direction))
      .then(
        layout => {
          if (mySeq === seq.current) {
            setDrawnVg(vg);
          }
          dispatch({ type: 'layout-finished', seq: mySeq, layout });
        },
        (err: unknown) => {
          if (err instanceof LayoutCancelledError) {
            return;
          }
          const message = err instanceof Error ? err.message : String(err);
          console.error('vizflow: graph layout failed', err);
          dispatch({ type: 'layout-failed', seq: mySeq, message });
        }
      );
  }, [vg, direction, client]);

  return { client, state, shownVg: drawnVg ?? vg, requestedAt };
}
