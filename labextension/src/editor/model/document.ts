/**
 * The editor's document mirror: the kernel's document as typed plain data, and
 * an index over it (nodes by id, edges by end, group members) built once per
 * version. The kernel owns the document; the browser never edits this mirror,
 * it sends commands and receives the next version as a patch (what changed), or
 * whole on first open, a file load or a resync.
 */

import type {
  EditorDocument,
  EditorDocumentPatch,
  EditorEdge,
  EditorGroup,
  EditorNode,
  EditorNodeKind,
  EditorNodeState,
  EditorPosition
} from '../../protocol';

export type {
  EditorDocument,
  EditorDocumentPatch,
  EditorEdge,
  EditorGroup,
  EditorNode,
  EditorNodeKind as NodeKind,
  EditorNodeState as NodeState,
  EditorPosition as Point
};

export const EMPTY_DOCUMENT: EditorDocument = {
  version: 0,
  name: '',
  nodes: [],
  edges: [],
  groups: [],
  outputs: [],
  updates: []
};

/** Lookups over one document version. */
export class DocIndex {
  readonly nodes = new Map<string, EditorNode>();
  readonly groups = new Map<string, EditorGroup>();
  readonly edges = new Map<string, EditorEdge>();
  /** Edges into a node, by target id. */
  readonly incoming = new Map<string, EditorEdge[]>();
  /** Edges out of a node, by source id. */
  readonly outgoing = new Map<string, EditorEdge[]>();
  /** Direct members of a group (nodes and child groups), by group id. */
  readonly memberNodes = new Map<string, string[]>();
  readonly childGroups = new Map<string, string[]>();

  constructor(readonly doc: EditorDocument) {
    for (const g of doc.groups) {
      this.groups.set(g.id, g);
      if (g.parent !== null) {
        push(this.childGroups, g.parent, g.id);
      }
    }
    for (const n of doc.nodes) {
      this.nodes.set(n.id, n);
      if (n.group !== null) {
        push(this.memberNodes, n.group, n.id);
      }
    }
    for (const e of doc.edges) {
      this.edges.set(e.id, e);
      push(this.incoming, e.target, e);
      push(this.outgoing, e.source, e);
    }
  }

  /** Every node inside a group, at any depth (iterative: groups may nest deeply). */
  descendantNodes(groupId: string): string[] {
    const out: string[] = [];
    for (const g of this.descendantGroups(groupId)) {
      out.push(...(this.memberNodes.get(g) ?? []));
    }
    return out;
  }

  /** The group itself and every group nested in it. */
  descendantGroups(groupId: string): string[] {
    const out: string[] = [];
    const todo = [groupId];
    while (todo.length) {
      const g = todo.pop() as string;
      out.push(g);
      todo.push(...(this.childGroups.get(g) ?? []));
    }
    return out;
  }

  /** The chain of groups holding a node, innermost first. */
  groupChain(groupId: string | null): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    let g = groupId;
    while (g !== null && !seen.has(g)) {
      seen.add(g);
      out.push(g);
      g = this.groups.get(g)?.parent ?? null;
    }
    return out;
  }

  /** The node's display name: its name, else its op. */
  label(nodeId: string): string {
    const n = this.nodes.get(nodeId);
    return n ? n.name || n.op || n.kind : nodeId;
  }
}

function push<V>(map: Map<string, V[]>, key: string, value: V): void {
  const list = map.get(key);
  if (list) {
    list.push(value);
  } else {
    map.set(key, [value]);
  }
}

/**
 * The next document with every node, edge and group that did not change taken from the
 * previous one (the same object), so the canvas redraws only what an edit touched, when
 * the kernel sends the whole document (first open, a file loaded, a resync).
 */
export function reuseUnchanged(
  prev: EditorDocument,
  next: EditorDocument
): EditorDocument {
  return {
    ...next,
    nodes: reuse(prev.nodes, next.nodes),
    edges: reuse(prev.edges, next.edges),
    groups: reuse(prev.groups, next.groups)
  };
}

function reuse<T extends { id: string }>(prev: T[], next: T[]): T[] {
  const old = new Map<string, T>();
  for (const item of prev) {
    old.set(item.id, item);
  }
  return next.map(item => {
    const before = old.get(item.id);
    return before &&
      (before === item || JSON.stringify(before) === JSON.stringify(item))
      ? before
      : item;
  });
}

/**
 * The document after a kernel patch (which must follow `doc`'s version): the removed
 * dropped, the changed replaced in place, the added appended (edges in id order, as the
 * kernel keeps them), then ordered as the patch says when it says; every node, edge and
 * group the patch does not name is the same object as before.
 */
export function applyPatch(
  doc: EditorDocument,
  patch: EditorDocumentPatch
): EditorDocument {
  let nodes = merge(doc.nodes, patch.nodes, patch.removed_nodes);
  if (patch.node_order) {
    nodes = reorder(nodes, patch.node_order);
  }
  let groups = merge(doc.groups, patch.groups, patch.removed_groups);
  if (patch.group_order) {
    groups = reorder(groups, patch.group_order);
  }
  const edges = merge(doc.edges, patch.edges, patch.removed_edges);
  if (edges.length > doc.edges.length - patch.removed_edges.length) {
    edges.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
  return {
    version: patch.version,
    name: patch.name ?? doc.name,
    nodes,
    edges,
    groups,
    outputs: patch.outputs ?? doc.outputs,
    updates: patch.updates ?? doc.updates
  };
}

function merge<T extends { id: string }>(
  items: T[],
  given: T[],
  removed: string[]
): T[] {
  if (given.length === 0 && removed.length === 0) {
    return items;
  }
  const gone = new Set(removed);
  const fresh = new Map<string, T>();
  for (const item of given) {
    fresh.set(item.id, item);
  }
  const out: T[] = [];
  for (const item of items) {
    if (gone.has(item.id)) {
      continue;
    }
    const next = fresh.get(item.id);
    if (next) {
      fresh.delete(item.id);
    }
    out.push(next ?? item);
  }
  for (const item of given) {
    if (fresh.has(item.id)) {
      out.push(item);
    }
  }
  return out;
}

function reorder<T extends { id: string }>(items: T[], order: string[]): T[] {
  const byId = new Map<string, T>();
  for (const item of items) {
    byId.set(item.id, item);
  }
  return order.map(id => {
    const item = byId.get(id);
    if (!item) {
      throw new Error(
        `the patch orders ${id}, which the document does not hold`
      );
    }
    return item;
  });
}
