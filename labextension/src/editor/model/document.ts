/**
 * The editor's document mirror: the kernel's `document` trait as typed plain
 * data, and an index over it (nodes by id, edges by end, group members) built
 * once per version. The kernel owns the document; the browser never edits this
 * mirror, it sends commands and receives the next version.
 */

import type {
  EditorDocument,
  EditorEdge,
  EditorGroup,
  EditorNode,
  EditorNodeKind,
  EditorNodeState,
  EditorPosition
} from '../../protocol';

export type {
  EditorDocument,
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
 * previous one (the same object), so the canvas redraws only what an edit touched: the
 * kernel sends the whole document each time.
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
    return before && JSON.stringify(before) === JSON.stringify(item)
      ? before
      : item;
  });
}
