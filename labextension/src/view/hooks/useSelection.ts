/** The selected item, whether the inspector shows it, and revealing a node by id. */
import { useCallback, useRef, useState } from 'react';
import type { GraphModel } from '../../model/graphModel';
import { ancestorGroups, type ScopeTree } from '../../model/scopeTree';
import { isGroupItemId } from '../../model/visibleGraph';
import type { ExpandedUpdate } from './useExpansion';

export interface PaneSelection {
  selected: string | null;
  inspectorOpen: boolean;
  setInspectorOpen: (open: boolean) => void;
  /** Select an item (and open the inspector on it unless told not to); `notify` tells onSelectNode. */
  select: (id: string | null, open?: boolean, notify?: boolean) => void;
  /** An item to centre once the next layout is drawn. */
  focusAfterLayout: React.MutableRefObject<string | null>;
}

export function useSelection(
  onSelectNode: ((nodeId: string) => void) | undefined
): PaneSelection {
  const [selected, setSelected] = useState<string | null>(null);
  const [inspectorOpen, setInspectorOpen] = useState(false);
  const focusAfterLayout = useRef<string | null>(null);
  const select = useCallback(
    (id: string | null, open = true, notify = true) => {
      setSelected(id);
      setInspectorOpen(open && id !== null);
      if (notify && id && !isGroupItemId(id)) {
        onSelectNode?.(id);
      }
    },
    [onSelectNode]
  );
  return {
    selected,
    inspectorOpen,
    setInspectorOpen,
    select,
    focusAfterLayout
  };
}

/** Show a model node: expand its groups, select it, centre it once drawn. */
export function useReveal(
  model: GraphModel,
  tree: ScopeTree,
  expanded: ReadonlySet<string>,
  updateExpanded: ExpandedUpdate,
  selection: PaneSelection,
  centreOn: (id: string) => boolean
): (nodeId: string, notify?: boolean) => void {
  const { select, focusAfterLayout } = selection;
  return useCallback(
    (nodeId: string, notify = true) => {
      if (!model.nodeById.has(nodeId)) {
        return;
      }
      const missing = ancestorGroups(tree, nodeId).filter(
        p => !expanded.has(p)
      );
      // A reveal asked for by the other side of a comparison is not echoed back to it.
      select(nodeId, true, notify);
      if (missing.length > 0) {
        focusAfterLayout.current = nodeId;
        updateExpanded(s => new Set([...s, ...missing]));
      } else if (!centreOn(nodeId)) {
        focusAfterLayout.current = nodeId;
      }
    },
    [model, tree, expanded, updateExpanded, centreOn, select, focusAfterLayout]
  );
}
