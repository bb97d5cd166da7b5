/**
 * The difference between two graphs shown side by side (a graph and its
 * optimised form): which node of A is which node of B, and what changed.
 * Plain TypeScript; the view only colours nodes and steps through `steps`.
 */
import type { GraphNode } from '../protocol';
import type { GraphModel } from './graphModel';

/** same: matched and alike; changed: matched, op/shape/dtype/params differ; added: only in B; removed: only in A. */
export type DiffStatus = 'same' | 'changed' | 'added' | 'removed';

/** One difference to step through: a node of A (removed, changed) or of B (added). */
export interface DiffStep {
  status: Exclude<DiffStatus, 'same'>;
  /** The node in A (null for an added node). */
  a: string | null;
  /** The node in B (null for a removed node). */
  b: string | null;
  /** What changed, for a changed node: e.g. ["op", "shape"]. */
  fields: string[];
}

export interface DiffCounts {
  added: number;
  removed: number;
  changed: number;
  same: number;
}

export interface GraphDiff {
  statusA: Map<string, DiffStatus>;
  statusB: Map<string, DiffStatus>;
  /** A's node id → its match in B; a node of A absent here has no match. */
  matchAB: Map<string, string>;
  matchBA: Map<string, string>;
  counts: DiffCounts;
  /** Differences in A's node order, each added node after the last matched node before it in B. */
  steps: DiffStep[];
}

/**
 * Match A's nodes to B's: first by a name unique on both sides, then by id,
 * then by structure (same op, inputs matched to the same nodes in order),
 * repeated until nothing new matches, so chains of unnamed nodes match too.
 */
export function diffGraphs(a: GraphModel, b: GraphModel): GraphDiff {
  const matchAB = new Map<string, string>();
  const matchBA = new Map<string, string>();
  const pair = (x: string, y: string): void => {
    matchAB.set(x, y);
    matchBA.set(y, x);
  };
  const namesA = uniqueNames(a);
  const namesB = uniqueNames(b);
  for (const [name, x] of namesA) {
    const y = namesB.get(name);
    if (y !== undefined) {
      pair(x, y);
    }
  }
  for (const n of a.nodes) {
    if (!matchAB.has(n.id) && b.nodeById.has(n.id) && !matchBA.has(n.id)) {
      pair(n.id, n.id);
    }
  }
  matchByStructure(a, b, matchAB, matchBA, pair);

  const statusA = new Map<string, DiffStatus>();
  const statusB = new Map<string, DiffStatus>();
  const counts: DiffCounts = { added: 0, removed: 0, changed: 0, same: 0 };
  const fieldsOf = new Map<string, string[]>();
  for (const n of a.nodes) {
    const y = matchAB.get(n.id);
    if (y === undefined) {
      statusA.set(n.id, 'removed');
      counts.removed++;
      continue;
    }
    const fields = changedFields(n, b.nodeById.get(y) as GraphNode);
    const status: DiffStatus = fields.length ? 'changed' : 'same';
    fieldsOf.set(n.id, fields);
    statusA.set(n.id, status);
    statusB.set(y, status);
    counts[status]++;
  }
  for (const n of b.nodes) {
    if (!matchBA.has(n.id)) {
      statusB.set(n.id, 'added');
      counts.added++;
    }
  }
  return {
    statusA,
    statusB,
    matchAB,
    matchBA,
    counts,
    steps: orderedSteps(a, b, statusA, statusB, matchAB, matchBA, fieldsOf)
  };
}

/** Names held by exactly one node of the graph. */
function uniqueNames(model: GraphModel): Map<string, string> {
  const seen = new Map<string, string | null>();
  for (const n of model.nodes) {
    if (n.name) {
      seen.set(n.name, seen.has(n.name) ? null : n.id);
    }
  }
  const out = new Map<string, string>();
  for (const [name, id] of seen) {
    if (id !== null) {
      out.set(name, id);
    }
  }
  return out;
}

function structureKey(
  model: GraphModel,
  node: GraphNode,
  mapInput: (id: string) => string | undefined
): string | null {
  const parts = [node.op];
  for (const e of model.incoming.get(node.id) ?? []) {
    const m = mapInput(e.source);
    if (m === undefined) {
      return null;
    }
    parts.push(`${e.target_port}:${m}`);
  }
  return parts.join('\u0000');
}

/** Pair unmatched nodes whose op and matched inputs agree; passes until a fixpoint. */
function matchByStructure(
  a: GraphModel,
  b: GraphModel,
  matchAB: Map<string, string>,
  matchBA: Map<string, string>,
  pair: (x: string, y: string) => void
): void {
  let progress = true;
  while (progress) {
    progress = false;
    const free = new Map<string, string[]>();
    for (const n of b.nodes) {
      if (matchBA.has(n.id)) {
        continue;
      }
      const key = structureKey(b, n, id => id);
      if (key !== null) {
        const list = free.get(key);
        if (list) {
          list.push(n.id);
        } else {
          free.set(key, [n.id]);
        }
      }
    }
    for (const n of a.nodes) {
      if (matchAB.has(n.id)) {
        continue;
      }
      const key = structureKey(a, n, id => matchAB.get(id));
      const list = key === null ? undefined : free.get(key);
      const y = list?.shift();
      if (y !== undefined) {
        pair(n.id, y);
        progress = true;
      }
    }
  }
}

/** The fields in which two matched nodes differ. */
function changedFields(x: GraphNode, y: GraphNode): string[] {
  const fields: string[] = [];
  if (x.op !== y.op) {
    fields.push('op');
  }
  if (JSON.stringify(x.shape) !== JSON.stringify(y.shape)) {
    fields.push('shape');
  }
  if (x.dtype !== y.dtype) {
    fields.push('dtype');
  }
  if (canonical(x.params) !== canonical(y.params)) {
    fields.push('params');
  }
  return fields;
}

function canonical(params: GraphNode['params']): string {
  if (!params) {
    return '{}';
  }
  const keys = Object.keys(params).sort();
  return JSON.stringify(keys.map(k => [k, params[k]]));
}

function orderedSteps(
  a: GraphModel,
  b: GraphModel,
  statusA: Map<string, DiffStatus>,
  statusB: Map<string, DiffStatus>,
  matchAB: Map<string, string>,
  matchBA: Map<string, string>,
  fieldsOf: Map<string, string[]>
): DiffStep[] {
  // Each added node of B follows the A node matched to the last matched B node before it.
  const addedAfter = new Map<string | null, string[]>();
  let anchor: string | null = null;
  for (const n of b.nodes) {
    const x = matchBA.get(n.id);
    if (x !== undefined) {
      anchor = x;
    } else if (statusB.get(n.id) === 'added') {
      const list = addedAfter.get(anchor);
      if (list) {
        list.push(n.id);
      } else {
        addedAfter.set(anchor, [n.id]);
      }
    }
  }
  const steps: DiffStep[] = [];
  const pushAdded = (after: string | null): void => {
    for (const y of addedAfter.get(after) ?? []) {
      steps.push({ status: 'added', a: null, b: y, fields: [] });
    }
  };
  pushAdded(null);
  for (const n of a.nodes) {
    const s = statusA.get(n.id);
    if (s === 'removed') {
      steps.push({ status: 'removed', a: n.id, b: null, fields: [] });
    } else if (s === 'changed') {
      steps.push({
        status: 'changed',
        a: n.id,
        b: matchAB.get(n.id) ?? null,
        fields: fieldsOf.get(n.id) ?? []
      });
    }
    pushAdded(n.id);
  }
  return steps;
}
