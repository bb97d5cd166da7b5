/**
 * The viewer's state and its typed changes, reduced by a pure function.
 * React only renders this state; the effects (asking for a layout) live in the view.
 */
import type { LayoutResult } from '../layout/messages';

export type LayoutState = 'idle' | 'running' | 'done' | 'error';

export interface ViewerState {
  layoutState: LayoutState;
  /** The id of the layout the state waits for or shows. */
  requestSeq: number;
  layout: LayoutResult | null;
  error: string | null;
}

export type ViewerChange =
  | { type: 'layout-started'; seq: number }
  | { type: 'layout-finished'; seq: number; layout: LayoutResult }
  | { type: 'layout-failed'; seq: number; message: string };

export const initialViewerState: ViewerState = {
  layoutState: 'idle',
  requestSeq: 0,
  layout: null,
  error: null
};

export function viewerReducer(
  state: ViewerState,
  change: ViewerChange
): ViewerState {
  switch (change.type) {
    case 'layout-started':
      if (change.seq < state.requestSeq) {
        return state;
      }
      // Keep the previous layout on screen while the new one is computed.
      return {
        ...state,
        layoutState: 'running',
        requestSeq: change.seq,
        error: null
      };
    case 'layout-finished':
      if (change.seq !== state.requestSeq) {
        return state; // a stale answer
      }
      return {
        ...state,
        layoutState: 'done',
        layout: change.layout,
        error: null
      };
    case 'layout-failed':
      if (change.seq !== state.requestSeq) {
        return state;
      }
      return { ...state, layoutState: 'error', error: change.message };
  }
}
