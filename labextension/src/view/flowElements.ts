/**
 * Join the visible graph and a layout result into React Flow nodes and edges.
 */
import type { Edge } from '@xyflow/react';
import type { VisibleGraph } from '../model/visibleGraph';
import type {
  LayoutDirection,
  LayoutResult,
  NodePosition,
  PortPosition
} from '../layout/messages';
import type { ViewerFlowNode } from './OpNode';

export interface Decorations {
  selected: string | null;
  linked: ReadonlySet<string>;
  overlay: ReadonlyMap<string, string>;
  onExpand: (path: string) => void;
  onCollapse: (path: string) => void;
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

export function flowElements(
  vg: VisibleGraph,
  layout: LayoutResult | null,
  direction: LayoutDirection,
  outputs: ReadonlySet<string>,
  deco: Decorations
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
      data: { group: frame.group, onCollapse: deco.onCollapse }
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
      overlay: deco.overlay.get(item.id) ?? null
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
        type: 'group',
        data: { ...box, group: item.group, onExpand: deco.onExpand }
      });
    }
  }
  const edges: Edge[] = vg.edges
    .filter(e => placed.has(e.source) && placed.has(e.target))
    .map(e => ({
      id: e.id,
      source: e.source,
      target: e.target,
      sourceHandle: 'out',
      targetHandle: `in${e.targetPort}`,
      label: e.label,
      className: e.edgeIds.length > 1 ? 'vf-edge vf-edge-merged' : 'vf-edge',
      focusable: false,
      selectable: false
    }));
  return { nodes, edges };
}
