/**
 * What is on screen for a set of expanded groups: single nodes, collapsed
 * groups drawn as one box, frames around expanded groups, and the edges
 * rerouted to the collapsed groups (parallel edges merged, inner edges hidden).
 */
import type { GraphNode } from '../protocol';
import { formatShapeDtype } from './format';
import {
  estimateNodeSize,
  type GraphModel,
  type NodeSize,
  NODE_CHAR_WIDTH,
  NODE_LINE_HEIGHT,
  NODE_MAX_WIDTH,
  NODE_MIN_WIDTH,
  NODE_PADDING_X,
  NODE_PADDING_Y,
  inputPortCount
} from './graphModel';
import { type Band, BAND_NAMES, mirroredNode, nodeBands } from './bands';
import { ROOT_PATH, type ScopeGroup, type ScopeTree } from './scopeTree';

export const GROUP_PREFIX = 'group:';
export const FRAME_PREFIX = 'frame:';

export function groupItemId(path: string): string {
  return GROUP_PREFIX + path;
}

export function frameId(path: string): string {
  return FRAME_PREFIX + path;
}

export function isGroupItemId(id: string): boolean {
  return id.startsWith(GROUP_PREFIX);
}

export function groupPathOfItem(id: string): string | null {
  if (id.startsWith(GROUP_PREFIX)) {
    return id.slice(GROUP_PREFIX.length);
  }
  if (id.startsWith(FRAME_PREFIX)) {
    return id.slice(FRAME_PREFIX.length);
  }
  return null;
}

export interface VisibleNodeItem {
  kind: 'node';
  id: string;
  node: GraphNode;
  /** The frame (expanded group) that holds it, or null at top level. */
  parent: string | null;
  inPorts: number;
  size: NodeSize;
}

export interface VisibleGroupItem {
  kind: 'group';
  id: string;
  group: ScopeGroup;
  parent: string | null;
  inPorts: number;
  size: NodeSize;
}

export type VisibleItem = VisibleNodeItem | VisibleGroupItem;

/** An expanded group, drawn as a frame around its visible members. */
export interface VisibleFrame {
  id: string;
  group: ScopeGroup;
  parent: string | null;
}

export interface VisibleEdge {
  id: string;
  source: string;
  target: string;
  targetPort: number;
  /** The model edges this edge stands for (more than one when merged). */
  edgeIds: string[];
  label: string;
}

export interface VisibleGraph {
  items: VisibleItem[];
  frames: VisibleFrame[];
  edges: VisibleEdge[];
  itemById: Map<string, VisibleItem>;
  /** The visible item that shows each model node. */
  repOf: Map<string, string>;
  /** Phase bands only: each band's frame id → its band. */
  bandOfFrame: Map<string, Band>;
  /** Phase bands only: a backward/update band's member → the forward band member it lines up with. */
  alignTo: Map<string, string>;
}

/** "1 node", "3 nodes". */
export function nodeCountText(count: number): string {
  return `${count} ${count === 1 ? 'node' : 'nodes'}`;
}

/**
 * A group's heading: its name, the class of its module when known ("0 · Linear"),
 * and a ×N badge for a run of N copies or a group repeated N times.
 */
export function groupTitle(group: ScopeGroup): string {
  const type = group.typeName ? ` · ${group.typeName}` : '';
  const times = group.kind === 'run' ? group.copies : group.repeatCount;
  const badge = times > 1 ? `  ×${times}` : '';
  return `${group.name}${type}${badge}`;
}

/** The lines a collapsed group box shows: title, node count, op summary. */
export function groupLines(group: ScopeGroup): string[] {
  const ops = group.opSummary.map(o => `${o.op} ${o.count}`).join(', ');
  return [groupTitle(group), nodeCountText(group.descendants.length), ops];
}

/** What a group box's title row holds besides its text: the +/− toggle, gaps, the badge's padding. */
const GROUP_TITLE_EXTRA_PX = 40;

export function estimateGroupSize(group: ScopeGroup): NodeSize {
  const lines = groupLines(group);
  const widest = Math.max(
    ...lines.map(
      (l, i) =>
        l.length * NODE_CHAR_WIDTH + (i === 0 ? GROUP_TITLE_EXTRA_PX : 0)
    )
  );
  return {
    width: Math.min(
      NODE_MAX_WIDTH,
      Math.max(NODE_MIN_WIDTH + 20, Math.ceil(widest + NODE_PADDING_X))
    ),
    height: Math.ceil(lines.length * NODE_LINE_HEIGHT + NODE_PADDING_Y + 6)
  };
}

export function buildVisibleGraph(
  model: GraphModel,
  tree: ScopeTree,
  expanded: ReadonlySet<string>
): VisibleGraph {
  // The first collapsed group on each group's path from the root (or null).
  const collapsedAt = new Map<string, string | null>();
  const resolve = (path: string): string | null => {
    if (path === ROOT_PATH) {
      return null;
    }
    const known = collapsedAt.get(path);
    if (known !== undefined) {
      return known;
    }
    const g = tree.groups.get(path) as ScopeGroup;
    const above = resolve(g.parent ?? ROOT_PATH);
    const value = above ?? (expanded.has(path) ? null : path);
    collapsedAt.set(path, value);
    return value;
  };
  const frameOf = (path: string): string | null =>
    path === ROOT_PATH ? null : frameId(path);

  const frames: VisibleFrame[] = [];
  for (const g of tree.groups.values()) {
    if (g.path !== ROOT_PATH && resolve(g.path) === null) {
      frames.push({
        id: frameId(g.path),
        group: g,
        parent: frameOf(g.parent ?? ROOT_PATH)
      });
    }
  }

  const repOf = new Map<string, string>();
  const items: VisibleItem[] = [];
  const itemById = new Map<string, VisibleItem>();
  for (const node of model.nodes) {
    const path = tree.groupOfNode.get(node.id) ?? ROOT_PATH;
    const collapsed = resolve(path);
    if (collapsed === null) {
      repOf.set(node.id, node.id);
      const item: VisibleNodeItem = {
        kind: 'node',
        id: node.id,
        node,
        parent: frameOf(path),
        inPorts: inputPortCount(model, node.id),
        size: estimateNodeSize(node)
      };
      items.push(item);
      itemById.set(item.id, item);
    } else {
      const id = groupItemId(collapsed);
      repOf.set(node.id, id);
      if (!itemById.has(id)) {
        const group = tree.groups.get(collapsed) as ScopeGroup;
        const item: VisibleGroupItem = {
          kind: 'group',
          id,
          group,
          parent: frameOf(group.parent ?? ROOT_PATH),
          inPorts: 0,
          size: estimateGroupSize(group)
        };
        items.push(item);
        itemById.set(id, item);
      }
    }
  }

  // Reroute edges; a group's input ports are its distinct sources, in order.
  const groupPorts = new Map<string, Map<string, number>>();
  const merged = new Map<string, VisibleEdge>();
  const edges: VisibleEdge[] = [];
  for (const e of model.edges) {
    const source = repOf.get(e.source);
    const target = repOf.get(e.target);
    if (!source || !target || source === target) {
      continue;
    }
    let port = e.target_port;
    const targetItem = itemById.get(target) as VisibleItem;
    if (targetItem.kind === 'group') {
      let ports = groupPorts.get(target);
      if (!ports) {
        ports = new Map();
        groupPorts.set(target, ports);
      }
      let p = ports.get(source);
      if (p === undefined) {
        p = ports.size;
        ports.set(source, p);
      }
      port = p;
    }
    const key = `${source}\u0000${target}\u0000${port}`;
    const existing = merged.get(key);
    if (existing) {
      existing.edgeIds.push(e.id);
      existing.label = `${edgeLabel(e.shape, e.dtype)} ×${existing.edgeIds.length}`;
      continue;
    }
    const ve: VisibleEdge = {
      id: source === e.source && target === e.target ? e.id : `v:${key}`,
      source,
      target,
      targetPort: port,
      edgeIds: [e.id],
      label: edgeLabel(e.shape, e.dtype)
    };
    merged.set(key, ve);
    edges.push(ve);
  }
  for (const [id, ports] of groupPorts) {
    (itemById.get(id) as VisibleGroupItem).inPorts = ports.size;
  }
  const vg = {
    items,
    frames,
    edges,
    itemById,
    repOf,
    bandOfFrame: new Map<string, Band>(),
    alignTo: new Map<string, string>()
  };
  if (tree.banded) {
    alignBands(model, vg);
  }
  return vg;
}

/** How many of a group's nodes are tried for one with a forward counterpart. */
const ALIGN_TRIES = 64;

/**
 * Fill `bandOfFrame` and `alignTo`: a band member lines up with the forward
 * band member showing the forward node (or updated parameter) that one of
 * its nodes mirrors.
 */
function alignBands(model: GraphModel, vg: VisibleGraph): void {
  const bands = nodeBands(model);
  if (bands === null) {
    return;
  }
  const byName = new Map(
    (Object.keys(BAND_NAMES) as Band[]).map(b => [BAND_NAMES[b], b])
  );
  for (const f of vg.frames) {
    const band = f.group.kind === 'band' ? byName.get(f.group.name) : undefined;
    if (band) {
      vg.bandOfFrame.set(f.id, band);
    }
  }
  const parentOf = new Map<string, string | null>();
  for (const f of vg.frames) {
    parentOf.set(f.id, f.parent);
  }
  for (const i of vg.items) {
    parentOf.set(i.id, i.parent);
  }
  /** The member of a band frame that holds a visible item (itself, or the frame above it). */
  const bandMember = (id: string): string | null => {
    let cur = id;
    let parent = parentOf.get(cur) ?? null;
    while (parent !== null && !vg.bandOfFrame.has(parent)) {
      cur = parent;
      parent = parentOf.get(cur) ?? null;
    }
    return parent === null ? null : cur;
  };
  const members = [
    ...vg.frames.map(f => ({ id: f.id, nodes: f.group.descendants })),
    ...vg.items.map(i => ({
      id: i.id,
      nodes: i.kind === 'node' ? [i.id] : i.group.descendants
    }))
  ];
  for (const m of members) {
    const parent = parentOf.get(m.id) ?? null;
    const band = parent === null ? undefined : vg.bandOfFrame.get(parent);
    if (band === undefined || band === 'forward') {
      continue;
    }
    for (const id of m.nodes.slice(0, ALIGN_TRIES)) {
      const node = model.nodeById.get(id);
      const mirror = node ? mirroredNode(model, node, band) : null;
      const rep = mirror ? vg.repOf.get(mirror.id) : undefined;
      const target = rep === undefined ? null : bandMember(rep);
      const targetBand = target === null ? null : parentOf.get(target);
      if (
        target !== null &&
        targetBand &&
        vg.bandOfFrame.get(targetBand) === 'forward'
      ) {
        vg.alignTo.set(m.id, target);
        break;
      }
    }
  }
}

function edgeLabel(
  shape: GraphNode['shape'],
  dtype: string | undefined
): string {
  return formatShapeDtype(shape, dtype);
}

/** Items and frames grouped by the frame that holds them (null: top level). */
export function childrenByFrame(
  vg: VisibleGraph
): Map<string | null, (VisibleItem | VisibleFrame)[]> {
  const out = new Map<string | null, (VisibleItem | VisibleFrame)[]>();
  const add = (parent: string | null, x: VisibleItem | VisibleFrame): void => {
    const list = out.get(parent);
    if (list) {
      list.push(x);
    } else {
      out.set(parent, [x]);
    }
  };
  for (const f of vg.frames) {
    add(f.parent, f);
  }
  for (const i of vg.items) {
    add(i.parent, i);
  }
  return out;
}
