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
import { type LaidOutBand, mirrorLevel, stackBands } from './bands';

/** The part of elkjs' ELK class we use. */
export interface ElkLike {
  layout(graph: ElkNode): Promise<ElkNode>;
}

export const PORT_SIZE = 6;
export const ROOT_PADDING = 20;

export const DEFAULT_LAYER_GAP = 60;
/** Least space between an edge and a box it passes. */
export const EDGE_NODE_SPACING = 20;

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
    'elk.spacing.edgeNode': String(EDGE_NODE_SPACING),
    'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
    'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
    'elk.padding': `[top=${ROOT_PADDING},left=${ROOT_PADDING},bottom=${ROOT_PADDING},right=${ROOT_PADDING}]`
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
    layoutOptions: {
      'elk.portConstraints': 'FIXED_ORDER',
      // Inputs on the left (top), as a person reads, not beside their one late reader.
      ...(n.first ? { 'elk.layered.layering.layerConstraint': 'FIRST' } : {})
    }
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

  private readonly shapes = new Map<string, ShapedLayout>();
  /** Levels answered by resizing an earlier layout of the same structure. */
  resized = 0;

  private readonly twins = new Map<string, ShapedLayout>();
  /** Levels answered by the layout of a twin level (a repeated block's). */
  copied = 0;

  /** The layout of a level equal to one with this `twinKey` but for its ids. */
  getTwin(key: string): ShapedLayout | undefined {
    return this.twins.get(key);
  }

  setTwin(key: string, value: ShapedLayout): void {
    this.twins.delete(key);
    this.twins.set(key, value);
    while (this.twins.size > this.capacity) {
      const oldest = this.twins.keys().next().value as string;
      this.twins.delete(oldest);
    }
  }

  /** The last layout of a level with this structure (boxes and links, sizes aside). */
  getShape(key: string): ShapedLayout | undefined {
    return this.shapes.get(key);
  }

  setShape(key: string, value: ShapedLayout): void {
    this.shapes.delete(key);
    this.shapes.set(key, value);
    while (this.shapes.size > this.capacity) {
      const oldest = this.shapes.keys().next().value as string;
      this.shapes.delete(oldest);
    }
  }
}

/** A flat level's input and its layout. */
export interface ShapedLayout {
  input: LayoutGraphInput;
  result: LayoutResult;
}

/**
 * What a flat level is made of, sizes, port numbers and order aside. A level lists an
 * expanded group's frame apart from the collapsed boxes (before them), so the order of
 * its boxes changes when a group opens although the level is the same.
 */
export function structureKey(
  input: LayoutGraphInput,
  options: LayoutOptions,
  padding: string | null
): string {
  const keyOf = new Map(input.nodes.map(n => [n.id, n.key ?? n.id]));
  const links = new Set<string>();
  for (const e of input.edges) {
    links.add(`${keyOf.get(e.source)}\u0000${keyOf.get(e.target)}`);
  }
  return JSON.stringify([
    input.nodes.map(n => n.key ?? n.id).sort(),
    [...links].sort(),
    options,
    padding
  ]);
}

/**
 * A level as boxes and links without names: box i's size and port count, links as
 * (box index, box index, port). Two levels with the same key (a block repeated in a
 * model: the same ops, shapes and wiring under other ids) have the same layout.
 */
export function twinKey(
  input: LayoutGraphInput,
  options: LayoutOptions,
  padding: string | null
): string {
  const index = new Map(input.nodes.map((n, i) => [n.id, i]));
  return JSON.stringify([
    input.nodes.map(n => [n.width, n.height, n.inPorts, n.first === true]),
    input.edges.map(e => [
      index.get(e.source),
      index.get(e.target),
      e.targetPort
    ]),
    options,
    padding
  ]);
}

/** The twin's layout under this level's ids (boxes matched by their place in the input). */
export function renameLayout(
  twin: ShapedLayout,
  input: LayoutGraphInput
): LayoutResult {
  const place = new Map(twin.input.nodes.map((n, i) => [n.id, i]));
  return {
    ...twin.result,
    nodes: twin.result.nodes.map(p => ({
      ...p,
      id: input.nodes[place.get(p.id) as number].id
    }))
  };
}

function evenPorts(
  direction: LayoutDirection,
  width: number,
  height: number,
  inPorts: number
): NodePosition['ports'] {
  const half = PORT_SIZE / 2;
  const ports: NodePosition['ports'] = [];
  for (let k = 0; k < inPorts; k++) {
    const f = (k + 1) / (inPorts + 1);
    ports.push(
      direction === 'RIGHT'
        ? { id: `in${k}`, x: -half, y: height * f }
        : { id: `in${k}`, x: width * f, y: -half }
    );
  }
  ports.push(
    direction === 'RIGHT'
      ? { id: 'out', x: width + half, y: height / 2 }
      : { id: 'out', x: width / 2, y: height + half }
  );
  return ports;
}

/**
 * Lay out a level whose boxes and links are those of an earlier layout and only
 * some boxes changed size (a group expanded into a frame, or collapsed): keep
 * every position, grow or shrink the changed boxes where they are, shift what
 * lies after them along the flow by the change in length, and what lies beside
 * them in their layer by the change in breadth. Far cheaper than ELK on a big
 * level, and the picture stays where the user was looking.
 */
export function resizeLayout(
  before: ShapedLayout,
  input: LayoutGraphInput,
  direction: LayoutDirection,
  padding: { right: number; bottom: number }
): LayoutResult {
  const oldPos = new Map(before.result.nodes.map(p => [p.id, p]));
  const oldByKey = new Map(before.input.nodes.map(n => [n.key ?? n.id, n]));
  const boxes = input.nodes.map(n => {
    const old = oldByKey.get(n.key ?? n.id);
    const pos = old ? oldPos.get(old.id) : undefined;
    if (!old || !pos) {
      throw new Error(`resizeLayout: no earlier box for ${n.id}`);
    }
    return {
      n,
      pos: { ...pos, id: n.id, ports: pos.ports },
      dw: n.width - pos.width,
      dh: n.height - pos.height,
      renumbered: old.inPorts !== n.inPorts || old.id !== n.id
    };
  });
  const right = direction === 'RIGHT';
  for (const b of boxes) {
    if (b.dw === 0 && b.dh === 0 && !b.renumbered) {
      continue;
    }
    const { x, y, width: w, height: h } = b.pos;
    const nw = w + b.dw;
    const nh = h + b.dh;
    for (const o of boxes) {
      if (o === b) {
        continue;
      }
      if (right && o.pos.x >= x + w - 0.5) {
        o.pos.x += b.dw;
      } else if (!right && o.pos.y >= y + h - 0.5) {
        o.pos.y += b.dh;
      }
    }
    for (const o of boxes) {
      if (o === b) {
        continue;
      }
      if (right) {
        const beside =
          o.pos.x < x + Math.max(w, nw) && o.pos.x + o.pos.width > x;
        if (beside && o.pos.y >= y + h - 0.5) {
          o.pos.y += b.dh;
        }
      } else {
        const beside =
          o.pos.y < y + Math.max(h, nh) && o.pos.y + o.pos.height > y;
        if (beside && o.pos.x >= x + w - 0.5) {
          o.pos.x += b.dw;
        }
      }
    }
    b.pos.width = nw;
    b.pos.height = nh;
    b.pos.ports = evenPorts(direction, nw, nh, b.n.inPorts);
  }
  let width = 0;
  let height = 0;
  for (const b of boxes) {
    width = Math.max(width, b.pos.x + b.pos.width);
    height = Math.max(height, b.pos.y + b.pos.height);
  }
  return {
    nodes: boxes.map(b => b.pos),
    frames: [],
    width: width + padding.right,
    height: height + padding.bottom
  };
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
  const shape = cache ? structureKey(input, options, padding) : '';
  const twin = cache ? twinKey(input, options, padding) : '';
  const before = cache?.getShape(shape);
  const sameButIds = cache?.getTwin(twin);
  let result: LayoutResult;
  if (sameButIds && cache) {
    result = renameLayout(sameButIds, input);
    cache.copied++;
  } else if (before && cache) {
    result = resizeLayout(
      before,
      input,
      options.direction,
      padding === null
        ? { right: ROOT_PADDING, bottom: ROOT_PADDING }
        : { right: FRAME_PADDING, bottom: FRAME_PADDING }
    );
    cache.resized++;
  } else {
    const graph = toElkGraph(
      { nodes: input.nodes, edges: input.edges },
      options
    );
    if (padding) {
      graph.layoutOptions = { ...graph.layoutOptions, 'elk.padding': padding };
    }
    result = fromElkGraph(await elk.layout(graph));
  }
  cache?.setTwin(twin, { input, result });
  cache?.set(key, result);
  cache?.setShape(shape, { input, result });
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
  const bandOf = new Map(frames.flatMap(f => (f.band ? [[f.id, f.band]] : [])));
  /** Whether a level lies in the backward band, whose every level is mirrored. */
  const inBackwardBand = (level: string | null): boolean => {
    let f = level;
    while (f !== null) {
      if (bandOf.get(f) === 'backward') {
        return true;
      }
      f = parentOf.get(f) ?? null;
    }
    return false;
  };
  const alignOf = new Map<string, string>();
  for (const x of [...frames, ...input.nodes]) {
    if (x.align !== undefined) {
      alignOf.set(x.id, x.align);
    }
  }
  const frameKey = new Map(frames.map(f => [f.id, f.key ?? f.id]));

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
          key: frameKey.get(id),
          width: Math.max(sub.result.width, 120),
          height: sub.result.height,
          inPorts: framePorts.get(id)?.size ?? 0
        });
      } else {
        const n = nodeById.get(id) as LayoutGraphInput['nodes'][number];
        nodes.push({
          id: n.id,
          key: n.key,
          width: n.width,
          height: n.height,
          inPorts: n.inPorts,
          first: n.first
        });
      }
    }
    const levelMembers = members.get(level) ?? [];
    if (levelMembers.length > 0 && levelMembers.every(id => bandOf.has(id))) {
      const bands: LaidOutBand[] = levelMembers.map(id => ({
        id,
        band: bandOf.get(id) as LaidOutBand['band'],
        result: inner.get(id) as LayoutResult
      }));
      const stacked = stackBands(
        bands,
        alignOf,
        options.direction,
        FRAME_PADDING
      );
      for (const [id, r] of stacked.members) {
        inner.set(id, r);
      }
      return { result: stacked.result, inner };
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
    return {
      result: inBackwardBand(level)
        ? mirrorLevel(result, options.direction)
        : result,
      inner
    };
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
