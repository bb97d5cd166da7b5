/** Keyboard of a focused pane: arrows move the selection along edges, Enter opens, Escape clears. */
import type React from 'react';
import { navigate, type ArrowKey, type Box } from '../../model/navigation';
import {
  frameId,
  groupPathOfItem,
  isGroupItemId,
  type VisibleGraph
} from '../../model/visibleGraph';
import type { LayoutDirection } from '../../layout/messages';
import type { PaneSelection } from './useSelection';

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return (
    !!el &&
    (el.tagName === 'INPUT' ||
      el.tagName === 'SELECT' ||
      el.tagName === 'TEXTAREA')
  );
}

export function paneKeyHandler(
  shownVg: VisibleGraph,
  boxes: ReadonlyMap<string, Box>,
  direction: LayoutDirection,
  selection: PaneSelection,
  centreOn: (id: string) => boolean,
  onExpand: (path: string) => void,
  clearSearch: () => void
): (e: React.KeyboardEvent) => void {
  const { selected, inspectorOpen, select, setInspectorOpen } = selection;
  return e => {
    if (isTyping(e.target)) {
      return;
    }
    if (e.key.startsWith('Arrow')) {
      const next = navigate(
        { boxes, edges: shownVg.edges },
        selected && shownVg.itemById.has(selected) ? selected : null,
        e.key as ArrowKey,
        direction
      );
      if (next) {
        select(next, inspectorOpen);
        centreOn(next);
      }
    } else if (e.key === 'Enter' && selected) {
      const path = groupPathOfItem(selected);
      if (path !== null && isGroupItemId(selected)) {
        selection.focusAfterLayout.current = frameId(path);
        onExpand(path);
      } else {
        setInspectorOpen(true);
      }
    } else if (e.key === 'Escape') {
      select(null);
      clearSearch();
    } else {
      return;
    }
    e.preventDefault();
    e.stopPropagation();
  };
}
