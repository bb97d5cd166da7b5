/**
 * The xyflow nodes and edges for one drawn graph, built so that what did not
 * change keeps its object: xyflow and React skip an unchanged object, so an
 * edit redraws only what it touched and a drag tick only the dragged nodes
 * (on 500 nodes, rebuilding every object per frame is what made a drag stutter).
 * Plain functions over plain data, tested without React.
 */
import type { Edge } from '@xyflow/react';
import type { Point } from '../model/document';
import {
  frameId,
  groupBoxId,
  GROUP_BOX,
  nodeSize,
  type DrawnGraph
} from '../model/flow';
import type { EditNodeData, EditorFlowNode } from './EditNode';

/** Opens or closes a group (a box's or frame's toggle). */
export type ToggleGroup = (group: string, collapsed: boolean) => void;

/**
 * The canvas nodes of `drawn`: frames, collapsed groups' boxes, then nodes.
 * A node whose document object is the one in `cache` keeps its canvas object
 * (the session keeps unchanged document nodes' objects across versions).
 * Returns the nodes and the cache for the next call.
 */
export function flowNodes(
  drawn: DrawnGraph,
  categoryOf: (kind: string) => string | undefined,
  toggle: ToggleGroup,
  cache: ReadonlyMap<string, EditorFlowNode>
): { nodes: EditorFlowNode[]; cache: Map<string, EditorFlowNode> } {
  const nodes: EditorFlowNode[] = [];
  for (const f of drawn.frames) {
    nodes.push({
      id: frameId(f.group.id),
      type: 'editFrame',
      position: f.position,
      data: { group: f.group, members: 0, onToggle: toggle },
      style: { width: f.size.width, height: f.size.height },
      draggable: false,
      zIndex: -10 + f.depth,
      selectable: true
    });
  }
  for (const b of drawn.boxes) {
    nodes.push({
      id: groupBoxId(b.group.id),
      type: 'editGroup',
      position: b.position,
      data: { group: b.group, members: b.members, onToggle: toggle },
      style: { width: GROUP_BOX.width, height: GROUP_BOX.height }
    });
  }
  const next = new Map<string, EditorFlowNode>();
  for (const n of drawn.nodes) {
    const before = cache.get(n.id);
    const kept =
      before !== undefined && (before.data as EditNodeData).node === n;
    const flowNode: EditorFlowNode = kept
      ? before
      : {
          id: n.id,
          type: 'edit',
          position: n.position,
          data: {
            node: n,
            category: categoryOf(n.op ?? n.kind) ?? n.kind
          },
          style: { width: nodeSize(n).width }
        };
    next.set(n.id, flowNode);
    nodes.push(flowNode);
  }
  return { nodes, cache: next };
}

/**
 * `base` with the positions of a drag in progress and the selection applied:
 * a new object for each node moved or selected, the same object for the rest.
 */
export function withDragAndSelection(
  base: readonly EditorFlowNode[],
  drag: ReadonlyMap<string, Point>,
  selected: ReadonlySet<string>
): EditorFlowNode[] {
  if (drag.size === 0 && selected.size === 0) {
    return base as EditorFlowNode[];
  }
  return base.map(n => {
    const p = drag.get(n.id);
    const s = selected.has(n.id);
    return p || s ? { ...n, position: p ?? n.position, selected: s } : n;
  });
}

/**
 * Whether a view that came to rest at `zoom` leaves off-screen nodes out:
 * only at `from` and nearer; farther out most of the graph is on screen.
 */
export function cullsAt(zoom: number, from: number): boolean {
  return zoom >= from;
}

/**
 * The drag positions left once the move `done` is in the document: a node a
 * newer drag has moved since keeps its newer position.
 */
export function settleDrag(
  current: ReadonlyMap<string, Point>,
  done: ReadonlyMap<string, Point>
): ReadonlyMap<string, Point> {
  const next = new Map(current);
  for (const [id, p] of done) {
    if (next.get(id) === p) {
      next.delete(id);
    }
  }
  return next;
}

/**
 * The canvas edges of `drawn` with the selection applied; an edge keeps its
 * object from `cache` while its ends and selection are unchanged.
 */
export function flowEdges(
  drawn: DrawnGraph,
  selected: ReadonlySet<string>,
  cache: ReadonlyMap<string, Edge>
): { edges: Edge[]; cache: Map<string, Edge> } {
  const next = new Map<string, Edge>();
  const edges = drawn.edges.map(e => {
    const before = cache.get(e.id);
    const isSelected = selected.has(e.id);
    const kept =
      before !== undefined &&
      before.source === e.source &&
      before.sourceHandle === e.sourceHandle &&
      before.target === e.target &&
      before.targetHandle === e.targetHandle &&
      before.selected === isSelected;
    const edge: Edge = kept
      ? before
      : { ...e, selected: isSelected, className: 'vf-edit-wire' };
    next.set(e.id, edge);
    return edge;
  });
  return { edges, cache: next };
}
