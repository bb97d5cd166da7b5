/**
 * Translation between the layout input and ELK's JSON graph, and the ELK run.
 * Pure functions plus one async call to an ELK instance, so the same code
 * runs in the worker, on the main thread (fallback) and in node (tests).
 */
import type {
  ElkNode,
  ElkPort,
  LayoutOptions as ElkLayoutOptions
} from 'elkjs/lib/elk-api';
import {
  FramePosition,
  inPortId,
  LayoutDirection,
  LayoutEdgeInput,
  LayoutGraphInput,
  LayoutOptions,
  LayoutResult,
  NodePosition,
  outPortId
} from './messages';

/** The part of elkjs' ELK class we use. */
export interface ElkLike {
  layout(graph: ElkNode): Promise<ElkNode>;
}

export const PORT_SIZE = 6;

export const DEFAULT_LAYER_GAP = 60;

export function elkLayoutOptions(
  direction: LayoutDirection,
  layerGap = DEFAULT_LAYER_GAP
): ElkLayoutOptions {
  return {
    'elk.algorithm': 'layered',
    'elk.direction': direction,
    'elk.edgeRouting': 'POLYLINE',
    'elk.layered.spacing.nodeNodeBetweenLayers': String(layerGap),
    'elk.spacing.nodeNode': '30',
    'elk.spacing.edgeNode': '20',
    'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
    'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
    'elk.padding': '[top=20,left=20,bottom=20,right=20]'
  };
}

/**
 * ELK orders ports clockwise starting at the top-left corner (`port.index`).
 * Inputs sit on the WEST side for RIGHT (clockwise runs bottom to top there)
 * and on the NORTH side for DOWN (left to right), so port 0 ends up at the top
 * or on the left respectively.
 */
function inPortIndex(
  direction: LayoutDirection,
  port: number,
  count: number
): number {
  return direction === 'RIGHT' ? count - 1 - port : port;
}

/** Space above a frame's members for its title bar. */
export const FRAME_PADDING_TOP = 30;
export const FRAME_PADDING = 14;

function elkNodeFor(
  n: LayoutGraphInput['nodes'][number],
  direction: LayoutDirection
): ElkNode {
  const inSide = direction === 'RIGHT' ? 'WEST' : 'NORTH';
  const outSide = direction === 'RIGHT' ? 'EAST' : 'SOUTH';
  const ports: ElkPort[] = [];
  for (let k = 0; k < n.inPorts; k++) {
    ports.push({
      id: inPortId(n.id, k),
      width: PORT_SIZE,
      height: PORT_SIZE,
      layoutOptions: {
        'elk.port.side': inSide,
        'elk.port.index': String(inPortIndex(direction, k, n.inPorts))
      }
    });
  }
  ports.push({
    id: outPortId(n.id),
    width: PORT_SIZE,
    height: PORT_SIZE,
    layoutOptions: { 'elk.port.side': outSide, 'elk.port.index': '0' }
  });
  return {
    id: n.id,
    width: n.width,
    height: n.height,
    ports,
    layoutOptions: { 'elk.portConstraints': 'FIXED_ORDER' }
  };
}

export function toElkGraph(
  input: LayoutGraphInput,
  options: LayoutOptions
): ElkNode {
  const frames = input.frames ?? [];
  const root: ElkNode = {
    id: '__vizflow_root__',
    layoutOptions: elkLayoutOptions(options.direction, options.layerGap),
    children: [],
    edges: []
  };
  const containers = new Map<string, ElkNode>();
  for (const f of frames) {
    containers.set(f.id, {
      id: f.id,
      children: [],
      layoutOptions: {
        ...elkLayoutOptions(options.direction, options.layerGap),
        'elk.padding': `[top=${FRAME_PADDING_TOP},left=${FRAME_PADDING},bottom=${FRAME_PADDING},right=${FRAME_PADDING}]`
      }
    });
  }
  const holder = (parent: string | null | undefined): ElkNode =>
    (parent ? containers.get(parent) : undefined) ?? root;
  for (const f of frames) {
    holder(f.parent).children?.push(containers.get(f.id) as ElkNode);
  }
  for (const n of input.nodes) {
    holder(n.parent).children?.push(elkNodeFor(n, options.direction));
  }
  if (frames.length > 0) {
    root.layoutOptions = {
      ...root.layoutOptions,
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN'
    };
  }
  const known = new Set(input.nodes.map(n => n.id));
  root.edges = input.edges
    .filter(e => known.has(e.source) && known.has(e.target))
    .map(e => ({
      id: e.id,
      sources: [outPortId(e.source)],
      targets: [inPortId(e.target, e.targetPort)]
    }));
  return root;
}

export function fromElkGraph(
  laidOut: ElkNode,
  frameIds: ReadonlySet<string> = new Set()
): LayoutResult {
  const nodes: NodePosition[] = [];
  const frames: FramePosition[] = [];
  const visit = (parent: ElkNode, dx: number, dy: number): void => {
    for (const c of parent.children ?? []) {
      const x = (c.x ?? 0) + dx;
      const y = (c.y ?? 0) + dy;
      if (frameIds.has(c.id)) {
        frames.push({
          id: c.id,
          x,
          y,
          width: c.width ?? 0,
          height: c.height ?? 0
        });
        visit(c, x, y);
        continue;
      }
      const prefix = `${c.id}::`;
      nodes.push({
        id: c.id,
        x,
        y,
        width: c.width ?? 0,
        height: c.height ?? 0,
        ports: (c.ports ?? []).map(p => ({
          id: p.id.startsWith(prefix) ? p.id.slice(prefix.length) : p.id,
          x: (p.x ?? 0) + (p.width ?? 0) / 2,
          y: (p.y ?? 0) + (p.height ?? 0) / 2
        }))
      });
    }
  };
  visit(laidOut, 0, 0);
  return {
    nodes,
    frames,
    width: laidOut.width ?? 0,
    height: laidOut.height ?? 0
  };
}

/** Remembers laid-out sub-graphs (one frame's contents) by their exact input. */
export class LayoutCache {
  private readonly map = new Map<string, LayoutResult>();
  hits = 0;
  misses = 0;

  constructor(private readonly capacity = 2000) {}

  get(key: string): LayoutResult | undefined {
    const hit = this.map.get(key);
    if (hit) {
      this.hits++;
      this.map.delete(key); // move to the newest end
      this.map.set(key, hit);
    } else {
      this.misses++;
    }
    return hit;
  }

  set(key: string, value: LayoutResult): void {
    this.map.set(key, value);
    while (this.map.size > this.capacity) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
    }
  }

  get size(): number {
    return this.map.size;
  }
}

/** Lay out one flat level (no frames), through the cache. */
async function layoutFlat(
  elk: ElkLike,
  input: LayoutGraphInput,
  options: LayoutOptions,
  padding: string | null,
  cache: LayoutCache | null
): Promise<LayoutResult> {
  const key = cache ? JSON.stringify([input, options, padding]) : '';
  const hit = cache?.get(key);
  if (hit) {
    return hit;
  }
  const graph = toElkGraph({ nodes: input.nodes, edges: input.edges }, options);
  if (padding) {
    graph.layoutOptions = { ...graph.layoutOptions, 'elk.padding': padding };
  }
  const result = fromElkGraph(await elk.layout(graph));
  cache?.set(key, result);
  return result;
}

const FRAME_PADDING_SPEC = `[top=${FRAME_PADDING_TOP},left=${FRAME_PADDING},bottom=${FRAME_PADDING},right=${FRAME_PADDING}]`;

/**
 * Lay out a graph with frames level by level: each frame's members are laid
 * out on their own (a flat ELK layered layout), the frame then takes part in
 * its parent's level as one box. Edges are laid out in the level of the
 * lowest frame holding both ends, attached to the boxes that contain them.
 * Unchanged levels come from the cache, so expanding one group only lays out
 * that group and the levels above it.
 */
export async function runHierarchicalLayout(
  elk: ElkLike,
  input: LayoutGraphInput,
  options: LayoutOptions,
  cache: LayoutCache | null = null
): Promise<LayoutResult> {
  const frames = input.frames ?? [];
  const parentOf = new Map<string, string | null>();
  for (const f of frames) {
    parentOf.set(f.id, f.parent ?? null);
  }
  for (const n of input.nodes) {
    parentOf.set(n.id, n.parent ?? null);
  }
  const members = new Map<string | null, string[]>();
  for (const [id, parent] of parentOf) {
    const list = members.get(parent);
    if (list) {
      list.push(id);
    } else {
      members.set(parent, [id]);
    }
  }
  const chain = (id: string): (string | null)[] => {
    const out: (string | null)[] = [id];
    let p = parentOf.get(id) ?? null;
    while (p !== null) {
      out.push(p);
      p = parentOf.get(p) ?? null;
    }
    out.push(null);
    return out;
  };
  // Each edge belongs to the level of the lowest common frame of its ends.
  const levelEdges = new Map<string | null, LayoutEdgeInput[]>();
  const framePorts = new Map<string, Map<string, number>>();
  for (const e of input.edges) {
    if (!parentOf.has(e.source) || !parentOf.has(e.target)) {
      continue;
    }
    const cs = chain(e.source);
    const ct = chain(e.target);
    const inT = new Set(ct);
    let i = 0;
    while (!inT.has(cs[i])) {
      i++;
    }
    const level = cs[i];
    const s = cs[i - 1] as string;
    const t = ct[ct.indexOf(level) - 1] as string;
    if (s === undefined || t === undefined || s === t) {
      continue;
    }
    let port = e.targetPort;
    if (t !== e.target) {
      let ports = framePorts.get(t);
      if (!ports) {
        ports = new Map();
        framePorts.set(t, ports);
      }
      const known = ports.get(s);
      port = known ?? ports.size;
      if (known === undefined) {
        ports.set(s, port);
      }
    }
    const list = levelEdges.get(level);
    const le = { id: e.id, source: s, target: t, targetPort: port };
    if (list) {
      list.push(le);
    } else {
      levelEdges.set(level, [le]);
    }
  }
  const nodeById = new Map(input.nodes.map(n => [n.id, n]));
  const frameIds = new Set(frames.map(f => f.id));

  // Lay out a level; positions are relative to the level's top-left corner.
  const layoutLevel = async (
    level: string | null
  ): Promise<{ result: LayoutResult; inner: Map<string, LayoutResult> }> => {
    const inner = new Map<string, LayoutResult>();
    const nodes: LayoutGraphInput['nodes'] = [];
    for (const id of members.get(level) ?? []) {
      if (frameIds.has(id)) {
        const sub = await layoutLevel(id);
        inner.set(id, sub.result);
        for (const [k, v] of sub.inner) {
          inner.set(k, v);
        }
        nodes.push({
          id,
          width: Math.max(sub.result.width, 120),
          height: sub.result.height,
          inPorts: framePorts.get(id)?.size ?? 0
        });
      } else {
        const n = nodeById.get(id) as LayoutGraphInput['nodes'][number];
        nodes.push({
          id: n.id,
          width: n.width,
          height: n.height,
          inPorts: n.inPorts
        });
      }
    }
    // Dedupe edges between the same boxes and port (merged parallel edges).
    const seen = new Set<string>();
    const edges: LayoutEdgeInput[] = [];
    for (const e of levelEdges.get(level) ?? []) {
      const key = `${e.source}\u0000${e.target}\u0000${e.targetPort}`;
      if (!seen.has(key)) {
        seen.add(key);
        edges.push(e);
      }
    }
    const result = await layoutFlat(
      elk,
      { nodes, edges },
      options,
      level === null ? null : FRAME_PADDING_SPEC,
      cache
    );
    return { result, inner };
  };

  const top = await layoutLevel(null);
  const nodesOut: NodePosition[] = [];
  const framesOut: FramePosition[] = [];
  const place = (result: LayoutResult, dx: number, dy: number): void => {
    for (const p of result.nodes) {
      const x = p.x + dx;
      const y = p.y + dy;
      if (frameIds.has(p.id)) {
        framesOut.push({ id: p.id, x, y, width: p.width, height: p.height });
        const sub = top.inner.get(p.id);
        if (sub) {
          place(sub, x, y);
        }
      } else {
        nodesOut.push({ ...p, x, y });
      }
    }
  };
  place(top.result, 0, 0);
  return {
    nodes: nodesOut,
    frames: framesOut,
    width: top.result.width,
    height: top.result.height
  };
}

/** Lay out a graph with the given ELK instance (frames level by level). */
export async function runElkLayout(
  elk: ElkLike,
  input: LayoutGraphInput,
  options: LayoutOptions,
  cache: LayoutCache | null = null
): Promise<LayoutResult> {
  if (input.nodes.length === 0) {
    return { nodes: [], frames: [], width: 0, height: 0 };
  }
  if ((input.frames ?? []).length === 0) {
    return layoutFlat(elk, input, options, null, cache);
  }
  return runHierarchicalLayout(elk, input, options, cache);
}
