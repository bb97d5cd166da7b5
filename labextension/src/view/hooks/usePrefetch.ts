/**
 * Once drawn, lay out (in the worker, when the page is idle) the views with one more
 * group open, for the groups the user is likely to open next: opening one is then
 * answered from the worker's cache.
 */
import { useEffect } from 'react';
import { useReactFlow } from '@xyflow/react';
import type { GraphModel } from '../../model/graphModel';
import type { Box } from '../../model/navigation';
import { groupsToPrefetch } from '../../model/prefetch';
import type { ScopeTree } from '../../model/scopeTree';
import type { ViewerState } from '../../model/viewerState';
import { buildVisibleGraph, type VisibleGraph } from '../../model/visibleGraph';
import type { LayoutClient } from '../../layout/client';
import { layoutInputFromVisible } from '../../layout/fromModel';
import type { LayoutDirection } from '../../layout/messages';
import { layoutOptions } from './useLayout';

/** Groups laid out ahead of need after each draw (one per kind of group). */
const PREFETCH_GROUPS = 4;

function later(f: () => void): void {
  if (typeof window.requestIdleCallback === 'function') {
    window.requestIdleCallback(f, { timeout: 2000 });
  } else {
    window.setTimeout(f, 100);
  }
}

export function usePrefetch(
  state: ViewerState,
  model: GraphModel,
  tree: ScopeTree,
  expanded: ReadonlySet<string>,
  shownVg: VisibleGraph,
  boxes: ReadonlyMap<string, Box>,
  client: LayoutClient,
  direction: LayoutDirection,
  canvas: { width: number; height: number }
): void {
  const flow = useReactFlow();
  useEffect(() => {
    if (state.layoutState !== 'done' || !state.layout) {
      return;
    }
    let cancelled = false;
    const { x, y, zoom } = flow.getViewport();
    const screen = {
      x: -x / zoom,
      y: -y / zoom,
      width: canvas.width / zoom,
      height: canvas.height / zoom
    };
    const paths = groupsToPrefetch(
      shownVg.items,
      boxes,
      screen,
      PREFETCH_GROUPS
    );
    let k = 0;
    const step = (): void => {
      if (cancelled || k >= paths.length) {
        return;
      }
      const next = buildVisibleGraph(
        model,
        tree,
        new Set([...expanded, paths[k++]])
      );
      client.prefetch(
        layoutInputFromVisible(next),
        layoutOptions(next, direction)
      );
      later(step);
    };
    later(step);
    return () => {
      cancelled = true;
    };
  }, [state.layoutState, state.layout]);
}
