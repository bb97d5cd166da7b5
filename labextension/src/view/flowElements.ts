/**
 * Join the graph model and a layout result into React Flow nodes and edges.
 */
import type { Edge } from '@xyflow/react';
import { formatShape } from '../model/format';
import { categoryClass } from '../model/format';
import type { GraphModel } from '../model/graphModel';
import type {
  LayoutDirection,
  LayoutResult,
  PortPosition
} from '../layout/messages';
import type { OpFlowNode } from './OpNode';

export function flowElements(
  model: GraphModel,
  layout: LayoutResult | null,
  direction: LayoutDirection
): { nodes: OpFlowNode[]; edges: Edge[] } {
  if (!layout) {
    return { nodes: [], edges: [] };
  }
  const nodes: OpFlowNode[] = [];
  const placed = new Set<string>();
  for (const pos of layout.nodes) {
    const node = model.nodeById.get(pos.id);
    if (!node) {
      continue;
    }
    placed.add(node.id);
    const inPorts: PortPosition[] = pos.ports
      .filter(p => p.id.startsWith('in'))
      .sort((a, b) => Number(a.id.slice(2)) - Number(b.id.slice(2)));
    const outPort = pos.ports.find(p => p.id === 'out') ?? null;
    nodes.push({
      id: node.id,
      type: 'op',
      position: { x: pos.x, y: pos.y },
      width: pos.width,
      height: pos.height,
      style: { width: pos.width, height: pos.height },
      className: categoryClass(node.category),
      draggable: true,
      connectable: false,
      data: {
        node,
        direction,
        inPorts,
        outPort,
        isOutput: model.outputs.has(node.id)
      }
    });
  }
  const edges: Edge[] = model.edges
    .filter(e => placed.has(e.source) && placed.has(e.target))
    .map(e => ({
      id: e.id,
      source: e.source,
      target: e.target,
      sourceHandle: 'out',
      targetHandle: `in${e.target_port}`,
      label: formatShape(e.shape),
      className: 'vf-edge',
      focusable: false
    }));
  return { nodes, edges };
}
