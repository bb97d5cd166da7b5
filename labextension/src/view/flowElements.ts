/**
 * Join the visible graph and a layout result into React Flow nodes and edges.
 */
import type { Edge } from '@xyflow/react';
import type { VisibleGraph } from '../model/visibleGraph';
import { labelsThatFit } from '../layout/edgeLabels';
import type {
  LayoutDirection,
  LayoutResult,
  NodePosition,
  PortPosition
} from '../layout/messages';
import type { DebugMark, ViewerFlowNode } from './OpNode';
import type { Nonfinite } from './hooks/nonfinite';
import type { DiffStatus } from '../model/diff';

export interface Decorations {
  selected: string | null;
  linked: ReadonlySet<string>;
  overlay: ReadonlyMap<string, string>;
  onExpand: (path: string) => void;
  onCollapse: (path: string) => void;
  /** Compare: how each differing item differs from the other side, by item id. */
  diff?: ReadonlyMap<string, Exclude<DiffStatus, 'same'>>;
  /** NaN/Inf marks of collapsed groups, by item id. */
  groupNonfinite?: ReadonlyMap<string, Nonfinite>;
  /** A debugger's marks, by item id. */
  debug?: ReadonlyMap<string, DebugMark>;
  /** A debugger's notes on edges (a gradient flowing along), by visible edge id: shown in place of the shape. */
  edgeNotes?: ReadonlyMap<string, string>;
}

/**
 * Longest side (layout px) of a frame drawn with rounded corners. A rounded dashed outline is
 * one dashed path that the browser's software rasteriser strokes whole for every tile the frame
 * crosses, so a long frame (a 1,000-node chain's is ~200,000 px wide) cost ~150 ms per tile each
 * time a step repainted a box inside it; square corners take the straight-dash fast path. A
 * frame this long is seen whole only at zoom ≤ 0.3 (on a 1,400 px canvas), where its 6 px
 * corners span under 2 screen pixels: the look barely changes.
 */
export const ROUNDED_FRAME_MAX_PX = 5000;

/** Whether a frame of this size is drawn with square corners (see ROUNDED_FRAME_MAX_PX). */
export function squareFrame(width: number, height: number): boolean {
  return Math.max(width, height) > ROUNDED_FRAME_MAX_PX;
}

/** The key of the edge from model node `from` to model node `to` in a map of edge notes. */
export function edgeKey(from: string, to: string): string {
  return `${from}\u0000${to}`;
}

/** Each drawn edge's note (by visible edge id), from notes keyed by the model nodes they join. */
export function shownEdgeNotes(
  notes: ReadonlyMap<string, string> | undefined,
  modelEdges: readonly { id: string; source: string; target: string }[],
  visibleEdgeOf: ReadonlyMap<string, string>
): ReadonlyMap<string, string> | undefined {
  if (!notes || notes.size === 0) {
    return undefined;
  }
  const out = new Map<string, string>();
  for (const e of modelEdges) {
    const note = notes.get(edgeKey(e.source, e.target));
    const shown = note ? visibleEdgeOf.get(e.id) : undefined;
    if (note && shown) {
      out.set(shown, note);
    }
  }
  return out;
}

/** The visible edge that draws each model edge, by model edge id. */
export function visibleEdgeIndex(vg: VisibleGraph): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of vg.edges) {
    for (const id of e.edgeIds) {
      out.set(id, e.id);
    }
  }
  return out;
}

/** The edges with the debugger's notes in place of their labels (the others as they are). */
function withNotes(
  edges: Edge[],
  notes: ReadonlyMap<string, string> | undefined
): Edge[] {
  if (!notes || notes.size === 0) {
    return edges;
  }
  return edges.map(e => {
    const note = notes.get(e.id);
    return note
      ? { ...e, label: note, className: `${e.className ?? ''} vf-edge-note` }
      : e;
  });
}

function ports(pos: NodePosition): {
  inPorts: PortPosition[];
  outPort: PortPosition | null;
} {
  return {
    inPorts: pos.ports
      .filter(p => p.id.startsWith('in'))
      .sort((a, b) => Number(a.id.slice(2)) - Number(b.id.slice(2))),
    outPort: pos.ports.find(p => p.id === 'out') ?? null
  };
}

/**
 * The elements of the previous call, by id. flowElements hands back the previous
 * object for an element that has not changed (and a node's previous `data` when only
 * its position or size changed), so that React Flow and the memoised node
 * components skip it after a re-layout.
 */
export interface FlowReuse {
  nodes: Map<string, ViewerFlowNode>;
  edges: Map<string, Edge>;
  /** The previous call's edge list: handed back whole when no edge changed. */
  edgeList?: Edge[];
  /** The edges built for a visible graph and layout: a call with both unchanged (a debugger
   * step, a selection) builds none (fitting the labels costs most of a call on 1,000 nodes). */
  built?: { vg: VisibleGraph; layout: LayoutResult; edges: Edge[] };
}

export function newFlowReuse(): FlowReuse {
  return { nodes: new Map(), edges: new Map() };
}

/** Whether two lists hold the same objects in the same order. */
function sameItems<T>(a: readonly T[] | undefined, b: readonly T[]): boolean {
  return (
    a !== undefined && a.length === b.length && a.every((x, i) => x === b[i])
  );
}

function samePorts(a: PortPosition[], b: PortPosition[]): boolean {
  if (a.length !== b.length) {
    return false;
  }
  for (let i = 0; i < a.length; i++) {
    if (a[i].id !== b[i].id || a[i].x !== b[i].x || a[i].y !== b[i].y) {
      return false;
    }
  }
  return true;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) {
    return true;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return samePorts(a as PortPosition[], b as PortPosition[]);
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const p = a as Partial<PortPosition>;
    const q = b as Partial<PortPosition>;
    return 'x' in p && p.id === q.id && p.x === q.x && p.y === q.y;
  }
  return false;
}

function sameData(
  a: Record<string, unknown>,
  b: Record<string, unknown>
): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) {
    return false;
  }
  return ka.every(k => sameValue(a[k], b[k]));
}

/** Whether two boxes have the same size and ports (the handles React Flow measured are still right). */
function sameShape(a: ViewerFlowNode, b: ViewerFlowNode): boolean {
  const p = a.data as { inPorts?: unknown; outPort?: unknown };
  const q = b.data as { inPorts?: unknown; outPort?: unknown };
  return (
    a.type === b.type &&
    a.width === b.width &&
    a.height === b.height &&
    sameValue(p.inPorts, q.inPorts) &&
    sameValue(p.outPort, q.outPort)
  );
}

/**
 * `next`, or the previous node with that id where nothing differs (its data where only that is
 * equal). A node whose data changed but whose box did not (a debugger mark, a selection) says it
 * is measured: React Flow then keeps its handles' bounds instead of measuring the DOM again.
 */
function reuseNode(
  prev: ViewerFlowNode | undefined,
  next: ViewerFlowNode
): ViewerFlowNode {
  if (!prev || prev.type !== next.type || !sameData(prev.data, next.data)) {
    return prev && sameShape(prev, next)
      ? ({
          ...next,
          measured: { width: next.width, height: next.height }
        } as ViewerFlowNode)
      : next;
  }
  if (
    prev.position.x === next.position.x &&
    prev.position.y === next.position.y &&
    prev.width === next.width &&
    prev.height === next.height &&
    prev.selected === next.selected
  ) {
    return prev;
  }
  return (
    sameShape(prev, next)
      ? {
          ...next,
          data: prev.data,
          measured: { width: next.width, height: next.height }
        }
      : { ...next, data: prev.data }
  ) as ViewerFlowNode;
}

function sameEdge(a: Edge, b: Edge): boolean {
  return (
    a.source === b.source &&
    a.target === b.target &&
    a.sourceHandle === b.sourceHandle &&
    a.targetHandle === b.targetHandle &&
    a.label === b.label &&
    a.className === b.className
  );
}

export function flowElements(
  vg: VisibleGraph,
  layout: LayoutResult | null,
  direction: LayoutDirection,
  outputs: ReadonlySet<string>,
  deco: Decorations,
  reuse?: FlowReuse
): { nodes: ViewerFlowNode[]; edges: Edge[] } {
  const out = build(vg, layout, direction, outputs, deco, reuse);
  if (!reuse) {
    return { nodes: out.nodes, edges: withNotes(out.edges, deco.edgeNotes) };
  }
  const nodes = out.nodes.map(n => reuseNode(reuse.nodes.get(n.id), n));
  const fresh = withNotes(out.edges, deco.edgeNotes).map(e => {
    const prev = reuse.edges.get(e.id);
    return prev && sameEdge(prev, e) ? prev : e;
  });
  // The same list when no edge changed (a debugger step changes node marks only):
  // React Flow then skips rebuilding its lookup of every edge's connections.
  const edges =
    sameItems(reuse.edgeList, fresh) && reuse.edgeList ? reuse.edgeList : fresh;
  reuse.nodes = new Map(nodes.map(n => [n.id, n]));
  if (edges !== reuse.edgeList) {
    reuse.edges = new Map(edges.map(e => [e.id, e]));
    reuse.edgeList = edges;
  }
  return { nodes, edges };
}

function build(
  vg: VisibleGraph,
  layout: LayoutResult | null,
  direction: LayoutDirection,
  outputs: ReadonlySet<string>,
  deco: Decorations,
  reuse?: FlowReuse
): { nodes: ViewerFlowNode[]; edges: Edge[] } {
  if (!layout) {
    return { nodes: [], edges: [] };
  }
  const nodes: ViewerFlowNode[] = [];
  const frameById = new Map(vg.frames.map(f => [f.id, f]));
  for (const f of layout.frames ?? []) {
    const frame = frameById.get(f.id);
    if (!frame) {
      continue;
    }
    nodes.push({
      id: f.id,
      type: 'frame',
      position: { x: f.x, y: f.y },
      width: f.width,
      height: f.height,
      style: { width: f.width, height: f.height },
      zIndex: -1,
      selectable: false,
      draggable: false,
      connectable: false,
      focusable: false,
      data: {
        group: frame.group,
        onCollapse: deco.onCollapse,
        square: squareFrame(f.width, f.height)
      }
    });
  }
  const placed = new Set<string>();
  for (const pos of layout.nodes) {
    const item = vg.itemById.get(pos.id);
    if (!item) {
      continue;
    }
    placed.add(item.id);
    const common = {
      id: item.id,
      position: { x: pos.x, y: pos.y },
      width: pos.width,
      height: pos.height,
      style: { width: pos.width, height: pos.height },
      selected: deco.selected === item.id,
      draggable: false,
      connectable: false
    };
    const box = {
      direction,
      ...ports(pos),
      linked: deco.linked.has(item.id),
      overlay: deco.overlay.get(item.id) ?? null,
      diff: deco.diff?.get(item.id) ?? null,
      debug: deco.debug?.get(item.id) ?? null
    };
    if (item.kind === 'node') {
      nodes.push({
        ...common,
        type: 'op',
        data: { ...box, node: item.node, isOutput: outputs.has(item.id) }
      });
    } else {
      nodes.push({
        ...common,
        type: 'scope',
        data: {
          ...box,
          group: item.group,
          onExpand: deco.onExpand,
          nonfinite: deco.groupNonfinite?.get(item.id) ?? null
        }
      });
    }
  }
  const built = reuse?.built;
  if (built && built.vg === vg && built.layout === layout) {
    return { nodes, edges: built.edges };
  }
  const edges = buildEdges(vg, layout, placed);
  if (reuse) {
    reuse.built = { vg, layout, edges };
  }
  return { nodes, edges };
}

/** React Flow's edges between the placed items, labelled where the label fits. */
function buildEdges(
  vg: VisibleGraph,
  layout: LayoutResult,
  placed: ReadonlySet<string>
): Edge[] {
  const drawn = vg.edges.filter(
    e => placed.has(e.source) && placed.has(e.target)
  );
  // A label that would cover a node or another label is left out (its shape is in the inspector).
  const labelled = labelsThatFit(
    drawn,
    new Map(layout.nodes.filter(p => placed.has(p.id)).map(p => [p.id, p]))
  );
  return drawn.map(e => ({
    id: e.id,
    source: e.source,
    target: e.target,
    type: 'labelled',
    sourceHandle: 'out',
    targetHandle: `in${e.targetPort}`,
    label: labelled.has(e.id) ? e.label : undefined,
    className: e.edgeIds.length > 1 ? 'vf-edge vf-edge-merged' : 'vf-edge',
    focusable: false,
    selectable: false
  }));
}
