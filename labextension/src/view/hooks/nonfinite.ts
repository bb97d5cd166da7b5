/**
 * NaN/Inf marks from the kernel (GraphNode.nonfinite, read defensively: older kernels
 * do not send it): nodes that produce a non-finite value versus nodes that pass one on.
 */
import type { GraphNode } from '../../protocol';
import type { GraphModel } from '../../model/graphModel';
import { isGroupItemId, type VisibleGraph } from '../../model/visibleGraph';

export type Nonfinite = 'produced' | 'passed';

export function nonfiniteOf(node: GraphNode): Nonfinite | null {
  const v = (node as { nonfinite?: unknown }).nonfinite;
  return v === 'produced' || v === 'passed' ? v : null;
}

/** The first node producing a non-finite value, in execution (payload) order, or null. */
export function firstNonfiniteProducer(model: GraphModel): string | null {
  for (const n of model.nodes) {
    if (nonfiniteOf(n) === 'produced') {
      return n.id;
    }
  }
  return null;
}

/** How many nodes produce and pass on non-finite values. */
export function nonfiniteCounts(model: GraphModel): {
  produced: number;
  passed: number;
} {
  let produced = 0;
  let passed = 0;
  for (const n of model.nodes) {
    const v = nonfiniteOf(n);
    if (v === 'produced') {
      produced++;
    } else if (v === 'passed') {
      passed++;
    }
  }
  return { produced, passed };
}

/** The mark of each collapsed group holding a marked node: 'produced' when any member produces one. */
export function groupNonfinite(
  model: GraphModel,
  vg: VisibleGraph
): Map<string, Nonfinite> {
  const out = new Map<string, Nonfinite>();
  for (const n of model.nodes) {
    const mark = nonfiniteOf(n);
    const item = mark ? vg.repOf.get(n.id) : undefined;
    if (mark && item && isGroupItemId(item) && out.get(item) !== 'produced') {
      out.set(item, mark);
    }
  }
  return out;
}
