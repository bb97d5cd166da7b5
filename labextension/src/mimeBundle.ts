/**
 * The graph mime type, its rank, and reading its data (no DOM needed).
 */
import type { GraphMimeBundle, GraphPayload } from './protocol';

export const GRAPH_MIME_TYPE = 'application/vnd.vizflow.graph+json';

/**
 * Rank of our factory. The widget manager registers the widget-view mime type
 * at rank -10 and lower ranks win, so -20 makes a notebook prefer this one.
 */
export const GRAPH_MIME_RANK = -20;

export function isGraphPayload(x: unknown): x is GraphPayload {
  const p = x as GraphPayload | null;
  return (
    !!p &&
    typeof p === 'object' &&
    Array.isArray(p.nodes) &&
    Array.isArray(p.edges)
  );
}

/** Read a bundle, tolerating a bare GraphPayload; null when unusable. */
export function readBundle(data: unknown): GraphMimeBundle | null {
  if (isGraphPayload(data)) {
    return { version: '1.0', graph: data, compare: null, model_id: null };
  }
  const b = data as Partial<GraphMimeBundle> | null;
  if (!b || typeof b !== 'object' || !isGraphPayload(b.graph)) {
    return null;
  }
  return {
    version: '1.0',
    graph: b.graph,
    compare: isGraphPayload(b.compare) ? b.compare : null,
    model_id: typeof b.model_id === 'string' ? b.model_id : null
  };
}
