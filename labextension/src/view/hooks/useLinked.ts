/** The hovered node and the drawn items of its forward/backward partners (lit while hovered). */
import { useMemo, useState } from 'react';
import type { GraphModel } from '../../model/graphModel';
import type { VisibleGraph } from '../../model/visibleGraph';

export function useLinked(
  model: GraphModel,
  shownVg: VisibleGraph
): {
  linked: ReadonlySet<string>;
  setHovered: (id: string | null) => void;
} {
  const [hovered, setHovered] = useState<string | null>(null);
  const linked = useMemo(() => {
    const out = new Set<string>();
    if (!hovered) {
      return out;
    }
    const ids = new Set<string>();
    for (const n of model.nodes) {
      if (n.id === hovered && n.forward_of) {
        ids.add(n.forward_of);
      }
      if (n.forward_of === hovered) {
        ids.add(n.id);
      }
    }
    for (const id of ids) {
      const rep = shownVg.repOf.get(id);
      if (rep) {
        out.add(rep);
      }
    }
    return out;
  }, [hovered, model, shownVg]);
  return { linked, setHovered };
}
