/** Diff marks on the drawn items of one side of a comparison (from model/diff's statuses). */
import type { DiffStatus } from '../../model/diff';
import type { GraphModel } from '../../model/graphModel';
import { isGroupItemId, type VisibleGraph } from '../../model/visibleGraph';

/** Each drawn item that differs: a node its own status, a collapsed group 'changed' when any member differs. */
export function itemDiffMarks(
  model: GraphModel,
  vg: VisibleGraph,
  status: ReadonlyMap<string, DiffStatus> | undefined
): Map<string, Exclude<DiffStatus, 'same'>> {
  const out = new Map<string, Exclude<DiffStatus, 'same'>>();
  if (!status) {
    return out;
  }
  for (const n of model.nodes) {
    const s = status.get(n.id);
    const item = s && s !== 'same' ? vg.repOf.get(n.id) : undefined;
    if (!s || s === 'same' || !item) {
      continue;
    }
    out.set(item, isGroupItemId(item) ? 'changed' : s);
  }
  return out;
}

/** The step index after `current` moving by `delta`, wrapping round; -1 when there are none. */
export function stepIndex(
  current: number,
  delta: number,
  count: number
): number {
  if (count <= 0) {
    return -1;
  }
  if (current < 0) {
    return delta >= 0 ? 0 : count - 1;
  }
  return (((current + delta) % count) + count) % count;
}
