/**
 * The graph mime type, its rank, and reading its data (no DOM needed).
 */
import type { GraphMimeBundle, GraphPayload } from './protocol';
import { expandGraph } from './model/compact';

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

/** A GraphMimeBundle with its graphs decoded from the wire form. */
export interface ReadBundle {
  version: GraphMimeBundle['version'];
  graph: GraphPayload;
  compare: GraphPayload | null;
  model_id: string | null;
  /** The viewer's own heading; '' for none. */
  title: string;
}

/**
 * The widget model id a bundle names, read without decoding its graphs (a live
 * model brings its own graph: decoding the bundle's copy too costs ~20 ms per
 * 10,000 nodes on every first draw); null for none.
 */
export function bundleModelId(data: unknown): string | null {
  const id =
    data && typeof data === 'object'
      ? (data as Partial<GraphMimeBundle>).model_id
      : null;
  return typeof id === 'string' && id ? id : null;
}

/**
 * Read a bundle (its graphs compact, or expanded as older outputs hold them),
 * tolerating a bare graph; null when unusable.
 */
export function readBundle(data: unknown): ReadBundle | null {
  const bare = expandGraph(data);
  if (bare) {
    return {
      version: '1.0',
      graph: bare,
      compare: null,
      model_id: null,
      title: ''
    };
  }
  const b = data as Partial<GraphMimeBundle> | null;
  const graph = b && typeof b === 'object' ? expandGraph(b.graph) : null;
  if (!b || !graph) {
    return null;
  }
  return {
    version: '1.0',
    graph,
    compare: expandGraph(b.compare),
    model_id: typeof b.model_id === 'string' ? b.model_id : null,
    title: typeof b.title === 'string' ? b.title : ''
  };
}
