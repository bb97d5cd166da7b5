/**
 * The graph model: an indexed, validated view of a GraphPayload.
 *
 * Plain TypeScript (no React, no DOM) so it can be tested in node and reused by
 * every view (viewer, debugger, editor).
 */
import type { GraphEdge, GraphNode, GraphPayload } from '../protocol';
import { formatShapeDtype } from './format';

/** A problem found while reading a payload; the offending item is skipped. */
export interface GraphIssue {
  kind:
    'duplicate-node' | 'duplicate-edge' | 'dangling-edge' | 'unknown-output';
  id: string;
  message: string;
}

export interface GraphModel {
  readonly title: string;
  /** Nodes in payload order. */
  readonly nodes: readonly GraphNode[];
  /** Edges in payload order (dangling and duplicate edges removed). */
  readonly edges: readonly GraphEdge[];
  readonly nodeById: ReadonlyMap<string, GraphNode>;
  readonly edgeById: ReadonlyMap<string, GraphEdge>;
  /** Edges into a node, sorted by target_port. */
  readonly incoming: ReadonlyMap<string, readonly GraphEdge[]>;
  /** Edges out of a node, in payload order. */
  readonly outgoing: ReadonlyMap<string, readonly GraphEdge[]>;
  /** Ids of the graph's outputs that exist. */
  readonly outputs: ReadonlySet<string>;
  readonly issues: readonly GraphIssue[];
  /** Scope path → class of the module called under it (payload's optional scope_types). */
  readonly scopeTypes: ReadonlyMap<string, string>;
}

const EMPTY: readonly GraphEdge[] = [];

/** An empty payload, used before the kernel has sent a graph. */
export function emptyPayload(title = ''): GraphPayload {
  return { version: '1.0', title, nodes: [], edges: [], outputs: [] };
}

/** Models built, by payload: the viewer and each of its panes ask for the same one. */
const built = new WeakMap<GraphPayload, GraphModel>();

/**
 * The indexed model of a payload (built once per payload object; payloads are not
 * changed once received); never throws on inconsistent input, reports issues instead.
 */
export function buildGraphModel(
  payload: GraphPayload | null | undefined
): GraphModel {
  if (!payload) {
    return indexPayload(emptyPayload());
  }
  let model = built.get(payload);
  if (!model) {
    model = indexPayload(payload);
    built.set(payload, model);
  }
  return model;
}

function indexPayload(p: GraphPayload): GraphModel {
  const issues: GraphIssue[] = [];
  const nodeById = new Map<string, GraphNode>();
  const nodes: GraphNode[] = [];
  for (const node of p.nodes ?? []) {
    if (nodeById.has(node.id)) {
      issues.push({
        kind: 'duplicate-node',
        id: node.id,
        message: `node id ${JSON.stringify(node.id)} appears more than once; later copy ignored`
      });
      continue;
    }
    nodeById.set(node.id, node);
    nodes.push(node);
  }

  const edgeById = new Map<string, GraphEdge>();
  const edges: GraphEdge[] = [];
  const incoming = new Map<string, GraphEdge[]>();
  const outgoing = new Map<string, GraphEdge[]>();
  for (const edge of p.edges ?? []) {
    if (edgeById.has(edge.id)) {
      issues.push({
        kind: 'duplicate-edge',
        id: edge.id,
        message: `edge id ${JSON.stringify(edge.id)} appears more than once; later copy ignored`
      });
      continue;
    }
    const missing = [edge.source, edge.target].filter(id => !nodeById.has(id));
    if (missing.length > 0) {
      issues.push({
        kind: 'dangling-edge',
        id: edge.id,
        message: `edge ${JSON.stringify(edge.id)} refers to unknown node(s) ${missing
          .map(m => JSON.stringify(m))
          .join(', ')}; edge ignored`
      });
      continue;
    }
    edgeById.set(edge.id, edge);
    edges.push(edge);
    push(incoming, edge.target, edge);
    push(outgoing, edge.source, edge);
  }
  for (const list of incoming.values()) {
    list.sort((a, b) => a.target_port - b.target_port);
  }

  const outputs = new Set<string>();
  for (const id of p.outputs ?? []) {
    if (nodeById.has(id)) {
      outputs.add(id);
    } else {
      issues.push({
        kind: 'unknown-output',
        id,
        message: `output ${JSON.stringify(id)} is not a node of the graph`
      });
    }
  }

  return {
    title: p.title ?? '',
    nodes,
    edges,
    nodeById,
    edgeById,
    incoming,
    outgoing,
    outputs,
    issues,
    scopeTypes: new Map(Object.entries(p.scope_types ?? {}))
  };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) {
    list.push(value);
  } else {
    map.set(key, [value]);
  }
}

/** Edges into a node, sorted by port. */
export function inputsOf(model: GraphModel, id: string): readonly GraphEdge[] {
  return model.incoming.get(id) ?? EMPTY;
}

/** Edges out of a node. */
export function outputsOf(model: GraphModel, id: string): readonly GraphEdge[] {
  return model.outgoing.get(id) ?? EMPTY;
}

/** Number of input ports a node shows: one more than its highest connected port. */
export function inputPortCount(model: GraphModel, id: string): number {
  let count = 0;
  for (const e of inputsOf(model, id)) {
    count = Math.max(count, e.target_port + 1);
  }
  return count;
}

/** Ids of the direct predecessors of a node (in port order, without repeats). */
export function predecessors(model: GraphModel, id: string): string[] {
  return unique(inputsOf(model, id).map(e => e.source));
}

/** Ids of the direct successors of a node (without repeats). */
export function successors(model: GraphModel, id: string): string[] {
  return unique(outputsOf(model, id).map(e => e.target));
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}

/** Size of a drawn node, estimated from its text so layout can run before rendering. */
export interface NodeSize {
  width: number;
  height: number;
}

export const NODE_MIN_WIDTH = 110;
export const NODE_MAX_WIDTH = 300;
export const NODE_CHAR_WIDTH = 8;
export const NODE_LINE_HEIGHT = 17;
export const NODE_PADDING_X = 40;
export const NODE_PADDING_Y = 14;

/** The lines of text a node shows, in order: op, name (if any), shape+dtype. */
export function nodeLines(node: GraphNode): string[] {
  const lines = [node.op];
  if (node.name) {
    lines.push(node.name);
  }
  lines.push(formatShapeDtype(node.shape, node.dtype));
  return lines;
}

export function estimateNodeSize(node: GraphNode): NodeSize {
  const lines = nodeLines(node);
  const longest = Math.max(...lines.map(l => l.length));
  const width = Math.min(
    NODE_MAX_WIDTH,
    Math.max(
      NODE_MIN_WIDTH,
      Math.ceil(longest * NODE_CHAR_WIDTH + NODE_PADDING_X)
    )
  );
  const height = Math.ceil(lines.length * NODE_LINE_HEIGHT + NODE_PADDING_Y);
  return { width, height };
}
