/**
 * Matching nodes across two graphs shown side by side: by name, else by id.
 */
import type { GraphModel } from './graphModel';

export function buildNameIndex(model: GraphModel): Map<string, string> {
  const byName = new Map<string, string>();
  for (const n of model.nodes) {
    if (n.name && !byName.has(n.name)) {
      byName.set(n.name, n.id);
    }
  }
  return byName;
}

/** The id in `to` matching node `id` of `from`, or null. */
export function matchNode(
  from: GraphModel,
  to: GraphModel,
  id: string,
  toNames: Map<string, string> = buildNameIndex(to)
): string | null {
  const node = from.nodeById.get(id);
  if (!node) {
    return null;
  }
  if (node.name) {
    const hit = toNames.get(node.name);
    if (hit) {
      return hit;
    }
  }
  return to.nodeById.has(id) ? id : null;
}
