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

/** The headings of a side-by-side comparison: one caption for the pair, a label per side. */
export interface CompareLabels {
  caption: string;
  a: string;
  b: string;
}

/**
 * Each side is headed by its own graph's title ("A · train_step"); the pair by the
 * viewer's title (vf.show's `title=`), else by the two titles.
 */
export function compareLabels(
  viewerTitle: string | undefined,
  titleA: string | undefined,
  titleB: string | undefined
): CompareLabels {
  const a = titleA?.trim() || 'graph';
  const b = titleB?.trim() || 'graph';
  const caption = viewerTitle?.trim() || (a === b ? a : `${a} vs ${b}`);
  return { caption, a: `A · ${a}`, b: `B · ${b}` };
}
