/**
 * Decode the protocol's CompactGraph (the columnar wire form of a graph, see
 * kernelext/vizflow_kernelext/payload/compact.py) back into a GraphPayload, so
 * everything past the two entry points (widget model, mime renderer) works on
 * GraphPayload. A reference to a node is its index in the node columns; a
 * negative reference r is the id strings[-1 - r] that names no node.
 */
import type {
  CompactGraph,
  GraphEdge,
  GraphNode,
  GraphPayload,
  NonFiniteNumber,
  Phase,
  SourceLocation
} from '../protocol';

import { compactGraphProblem } from './compactCheck';

export const COMPACT_ENCODING = 'columns-1';

/** A metric figure JSON cannot carry travels as text; it decodes to the number. */
const NON_FINITE: Record<NonFiniteNumber, number> = {
  NaN: NaN,
  Infinity: Infinity,
  '-Infinity': -Infinity
};

export function isCompactGraph(x: unknown): x is CompactGraph {
  const c = x as CompactGraph | null;
  return (
    !!c &&
    typeof c === 'object' &&
    c.encoding === COMPACT_ENCODING &&
    Array.isArray(c.strings) &&
    !!c.nodes &&
    typeof c.nodes === 'object' &&
    !!c.edges &&
    typeof c.edges === 'object'
  );
}

function decodeSource(
  s: (number | null)[] | null,
  strings: string[]
): SourceLocation | null {
  if (!s) {
    return null;
  }
  const out: SourceLocation = {
    file: strings[s[0] as number],
    line: s[1] as number
  };
  if (s[2] !== undefined && s[2] !== null) {
    out.function = strings[s[2]];
  }
  if (s[3] !== undefined && s[3] !== null) {
    out.cell = strings[s[3]];
  }
  return out;
}

export function decodeCompactGraph(c: CompactGraph): GraphPayload {
  const strings = c.strings;
  const cols = c.nodes;
  const count = cols.count;
  const ids: string[] = cols.id
    ? cols.id.map(i => strings[i])
    : Array.from({ length: count }, (_, i) => `n${i}`);
  const unref = (r: number): string => (r >= 0 ? ids[r] : strings[-1 - r]);
  const params = cols.params ?? {};
  const sources = cols.source ?? {};
  const hasValue = new Set(cols.has_value ?? []);
  const hasGrad = new Set(cols.has_grad ?? []);
  const nonfinite = cols.nonfinite ?? {};
  const metricCols = Object.entries(cols.metrics ?? {});
  const nodes: GraphNode[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const node: GraphNode = {
      id: ids[i],
      op: strings[cols.op[i]],
      name: strings[cols.name[i]],
      category: strings[cols.category[i]],
      dtype: strings[cols.dtype[i]],
      device: strings[cols.device[i]],
      scope: strings[cols.scope[i]],
      phase: strings[cols.phase[i]] as Phase,
      shape: cols.shape[i]
    };
    const f = cols.forward_of?.[i];
    if (f !== undefined && f !== null) {
      node.forward_of = unref(f);
    }
    const u = cols.updates?.[i];
    if (u !== undefined && u !== null) {
      node.updates = unref(u);
    }
    const key = String(i);
    if (key in nonfinite) {
      node.nonfinite = nonfinite[key];
    }
    if (key in params) {
      node.params = params[key];
    }
    if (key in sources) {
      node.source = decodeSource(sources[key], strings);
    }
    if (hasValue.has(i)) {
      node.has_value = true;
    }
    if (hasGrad.has(i)) {
      node.has_grad = true;
    }
    let metrics: Record<string, number> | null = null;
    for (const [name, col] of metricCols) {
      const v = col[i];
      if (v !== null && v !== undefined) {
        (metrics ??= {})[name] = typeof v === 'string' ? NON_FINITE[v] : v;
      }
    }
    if (metrics) {
      node.metrics = metrics;
    }
    nodes[i] = node;
  }
  const e = c.edges;
  const shapes = e.shape ?? {};
  const dtypes = e.dtype ?? {};
  const edges: GraphEdge[] = new Array(e.src.length);
  for (let i = 0; i < e.src.length; i++) {
    const key = String(i);
    const origin = e.src[i] >= 0 ? nodes[e.src[i]] : null;
    edges[i] = {
      id: e.id ? strings[e.id[i]] : `e${i}`,
      source: unref(e.src[i]),
      target: unref(e.dst[i]),
      target_port: e.port[i],
      shape: key in shapes ? shapes[key] : (origin?.shape ?? null),
      dtype: key in dtypes ? strings[dtypes[key]] : (origin?.dtype ?? '')
    };
  }
  const payload: GraphPayload = {
    version: c.version,
    title: c.title,
    nodes,
    edges,
    outputs: c.outputs.map(unref)
  };
  if (c.metrics) {
    payload.metrics = c.metrics;
  }
  if (c.op_docs) {
    payload.op_docs = c.op_docs;
  }
  if (c.scope_types) {
    payload.scope_types = c.scope_types;
  }
  return payload;
}

/**
 * A graph as it arrives (compact, or an older expanded GraphPayload),
 * expanded; null when unusable (a compact graph is checked before decoding).
 */
export function expandGraph(x: unknown): GraphPayload | null {
  if (isCompactGraph(x)) {
    return compactGraphProblem(x) === null ? decodeCompactGraph(x) : null;
  }
  const p = x as GraphPayload | null;
  return !!p &&
    typeof p === 'object' &&
    Array.isArray(p.nodes) &&
    Array.isArray(p.edges)
    ? p
    : null;
}
