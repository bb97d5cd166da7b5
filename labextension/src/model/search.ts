/**
 * Search nodes by name, op, scope or id; best matches first.
 */
import type { GraphNode } from '../protocol';
import type { GraphModel } from './graphModel';

export interface SearchHit {
  id: string;
  node: GraphNode;
  /** Which field matched: name, op, scope or id. */
  field: 'name' | 'op' | 'scope' | 'id';
  /** Lower is better. */
  score: number;
}

function rank(text: string, q: string, base: number): number | null {
  const t = text.toLowerCase();
  if (!t) {
    return null;
  }
  if (t === q) {
    return base;
  }
  if (t.startsWith(q)) {
    return base + 1;
  }
  return t.includes(q) ? base + 2 : null;
}

/** Nodes matching `query` (case-insensitive substring), best first, at most `limit`. */
export function searchNodes(
  model: GraphModel,
  query: string,
  limit = 50
): SearchHit[] {
  const q = query.trim().toLowerCase();
  if (!q) {
    return [];
  }
  const hits: SearchHit[] = [];
  model.nodes.forEach(node => {
    const candidates: [SearchHit['field'], number | null][] = [
      ['name', rank(node.name, q, 0)],
      ['op', rank(node.op, q, 3)],
      ['scope', rank(node.scope, q, 6)],
      ['id', rank(node.id, q, 9)]
    ];
    let best: [SearchHit['field'], number] | null = null;
    for (const [field, score] of candidates) {
      if (score !== null && (best === null || score < best[1])) {
        best = [field, score];
      }
    }
    if (best) {
      hits.push({ id: node.id, node, field: best[0], score: best[1] });
    }
  });
  // Stable: equal scores keep payload order.
  return hits
    .map((h, i) => ({ h, i }))
    .sort((a, b) => a.h.score - b.h.score || a.i - b.i)
    .slice(0, limit)
    .map(x => x.h);
}

/** A one-line description of a node for lists: `name (op) in scope`. */
export function describeNode(node: GraphNode): string {
  const main = node.name ? `${node.name} (${node.op})` : node.op;
  return node.scope ? `${main} in ${node.scope}` : main;
}
