/**
 * What the canvas draws for one document version: the visible nodes (a node
 * inside a collapsed group is drawn as that group's box), the frames of open
 * groups around their members, and the wires between what is visible (wires
 * inside a collapsed group disappear, wires into it end on its box). Plain data;
 * the React view maps it onto xyflow nodes and edges.
 */
import type { DocIndex, EditorGroup, EditorNode, Point } from './document';

export const NODE_WIDTH = 200;
const HEADER_HEIGHT = 44;
const PORT_ROW = 20;
const FRAME_PAD = 24;
const FRAME_TITLE = 26;
export const GROUP_BOX = { width: 200, height: 64 };

export interface Size {
  width: number;
  height: number;
}

/** A node's drawn size: a header, one row per port (inputs, then the output), two more for an error or a value. */
export function nodeSize(node: EditorNode): Size {
  const rows = Math.max(node.inputs.length + node.outputs.length, 1);
  const extra = node.state === 'error' || node.value ? 2 : 0;
  return {
    width: NODE_WIDTH,
    height: HEADER_HEIGHT + PORT_ROW * (rows + extra)
  };
}

export interface DrawnGroupBox {
  group: EditorGroup;
  position: Point;
  members: number;
}

export interface DrawnFrame {
  group: EditorGroup;
  position: Point;
  size: Size;
  depth: number;
}

export interface DrawnEdge {
  id: string;
  source: string;
  sourceHandle: string;
  target: string;
  targetHandle: string;
}

export interface DrawnGraph {
  nodes: EditorNode[];
  boxes: DrawnGroupBox[];
  frames: DrawnFrame[];
  edges: DrawnEdge[];
}

/** The id of a collapsed group's box on the canvas. */
export function groupBoxId(groupId: string): string {
  return `group:${groupId}`;
}

/** The id of an open group's frame on the canvas. */
export function frameId(groupId: string): string {
  return `frame:${groupId}`;
}

export function inHandle(port: number): string {
  return `in${port}`;
}

export function outHandle(port: number): string {
  return `out${port}`;
}

/** The port number of a handle id (`in3` → 3), or null. */
export function handlePort(handle: string | null | undefined): number | null {
  const m = /^(?:in|out)(\d+)$/.exec(handle ?? '');
  return m ? Number(m[1]) : null;
}

/** The outermost collapsed group holding a node, or null when it is drawn itself. */
function collapsedHolder(index: DocIndex, group: string | null): string | null {
  let holder: string | null = null;
  for (const g of index.groupChain(group)) {
    if (index.groups.get(g)?.collapsed) {
      holder = g;
    }
  }
  return holder;
}

type Bounds = { x0: number; y0: number; x1: number; y1: number };

function grow(
  bounds: Map<string, Bounds>,
  group: string,
  at: Point,
  size: Size
): void {
  const b = bounds.get(group);
  bounds.set(group, {
    x0: Math.min(b?.x0 ?? Infinity, at.x),
    y0: Math.min(b?.y0 ?? Infinity, at.y),
    x1: Math.max(b?.x1 ?? -Infinity, at.x + size.width),
    y1: Math.max(b?.y1 ?? -Infinity, at.y + size.height)
  });
}

export function drawnGraph(index: DocIndex): DrawnGraph {
  const stand = new Map<string, string>();
  const nodes: EditorNode[] = [];
  const boxCorner = new Map<string, Point & { members: number }>();
  const bounds = new Map<string, Bounds>();
  for (const n of index.doc.nodes) {
    const holder = collapsedHolder(index, n.group);
    if (holder !== null) {
      stand.set(n.id, groupBoxId(holder));
      const c = boxCorner.get(holder);
      boxCorner.set(holder, {
        x: Math.min(c?.x ?? Infinity, n.position.x),
        y: Math.min(c?.y ?? Infinity, n.position.y),
        members: (c?.members ?? 0) + 1
      });
      continue;
    }
    nodes.push(n);
    if (n.group !== null) {
      grow(bounds, n.group, n.position, nodeSize(n));
    }
  }
  const boxes: DrawnGroupBox[] = [];
  for (const [g, c] of boxCorner) {
    const group = index.groups.get(g) as EditorGroup;
    boxes.push({ group, position: { x: c.x, y: c.y }, members: c.members });
    // an open parent frame reaches round its collapsed child's box
    if (group.parent !== null) {
      grow(bounds, group.parent, c, GROUP_BOX);
    }
  }
  // Innermost frames first, each grown into its parent's bounds.
  const open = index.doc.groups
    .filter(g => !g.collapsed && collapsedHolder(index, g.id) === null)
    .map(g => ({ group: g, depth: index.groupChain(g.id).length }))
    .sort((a, b) => b.depth - a.depth);
  const frames: DrawnFrame[] = [];
  for (const { group, depth } of open) {
    const b = bounds.get(group.id);
    if (!b) {
      continue; // an empty group has nothing to draw round
    }
    const frame: DrawnFrame = {
      group,
      depth,
      position: { x: b.x0 - FRAME_PAD, y: b.y0 - FRAME_PAD - FRAME_TITLE },
      size: {
        width: b.x1 - b.x0 + 2 * FRAME_PAD,
        height: b.y1 - b.y0 + 2 * FRAME_PAD + FRAME_TITLE
      }
    };
    frames.push(frame);
    if (group.parent !== null) {
      grow(bounds, group.parent, frame.position, frame.size);
    }
  }
  frames.reverse();
  const edges: DrawnEdge[] = [];
  const seen = new Set<string>();
  for (const e of index.doc.edges) {
    const s = stand.get(e.source);
    const t = stand.get(e.target);
    if (s !== undefined && s === t) {
      continue; // inside one collapsed group
    }
    const edge: DrawnEdge = {
      id: e.id,
      source: s ?? e.source,
      sourceHandle: s ? 'out' : outHandle(e.source_port),
      target: t ?? e.target,
      targetHandle: t ? 'in' : inHandle(e.target_port)
    };
    const key = `${edge.source}\u0000${edge.sourceHandle}\u0000${edge.target}\u0000${edge.targetHandle}`;
    if (!seen.has(key)) {
      seen.add(key);
      edges.push(edge);
    }
  }
  return { nodes, boxes, frames, edges };
}

/** A group's id from a canvas id (its box or frame), else null. */
export function groupOf(canvasId: string): string | null {
  const m = /^(?:group|frame):(.*)$/.exec(canvasId);
  return m ? m[1] : null;
}

/**
 * The document positions after canvas items moved to `moved` (canvas id →
 * new corner): a node goes where it was dropped, a collapsed group's box
 * carries all its members by the box's offset. Rounded to whole pixels.
 */
export function movedPositions(
  index: DocIndex,
  drawn: DrawnGraph,
  moved: ReadonlyMap<string, Point>
): Record<string, Point> {
  const positions: Record<string, Point> = {};
  for (const [id, p] of moved) {
    const g = groupOf(id);
    if (g === null) {
      positions[id] = { x: Math.round(p.x), y: Math.round(p.y) };
      continue;
    }
    const box = drawn.boxes.find(b => b.group.id === g);
    if (!box) {
      continue; // a frame is not draggable
    }
    const dx = p.x - box.position.x;
    const dy = p.y - box.position.y;
    for (const m of index.descendantNodes(g)) {
      const n = index.nodes.get(m) as EditorNode;
      positions[m] = {
        x: Math.round(n.position.x + dx),
        y: Math.round(n.position.y + dy)
      };
    }
  }
  return positions;
}
