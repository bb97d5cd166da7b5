/** Which groups of the scope tree are open: starts from the settings, resets with a new tree. */
import { useCallback, useMemo, useState } from 'react';
import type { ScopeTree } from '../../model/scopeTree';
import { initialExpanded, type ViewerSettings } from '../../model/settings';

export type ExpandedUpdate = (
  f: (s: ReadonlySet<string>) => ReadonlySet<string>
) => void;

export interface Expansion {
  expanded: ReadonlySet<string>;
  updateExpanded: ExpandedUpdate;
  onExpand: (path: string) => void;
  onCollapse: (path: string) => void;
}

export function useExpansion(
  tree: ScopeTree,
  settings: ViewerSettings
): Expansion {
  // The settings are read when a graph opens, not applied again when they change.
  const initial = useMemo(() => initialExpanded(tree, settings), [tree]);
  const [expState, setExpState] = useState<{
    tree: ScopeTree;
    expanded: ReadonlySet<string>;
  } | null>(null);
  const expanded =
    expState && expState.tree === tree ? expState.expanded : initial;
  const updateExpanded = useCallback<ExpandedUpdate>(
    f =>
      setExpState(prev => ({
        tree,
        expanded: f(prev && prev.tree === tree ? prev.expanded : initial)
      })),
    [tree, initial]
  );
  const onExpand = useCallback(
    (path: string) => updateExpanded(s => new Set([...s, path])),
    [updateExpanded]
  );
  const onCollapse = useCallback(
    (path: string) =>
      updateExpanded(s => {
        const next = new Set(s);
        next.delete(path);
        return next;
      }),
    [updateExpanded]
  );
  return { expanded, updateExpanded, onExpand, onCollapse };
}
