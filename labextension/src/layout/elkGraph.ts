/**
 * Translation between the layout input and ELK's JSON graph, and the ELK run.
 * Pure functions plus one async call to an ELK instance, so the same code
 * runs in the worker, on the main thread (fallback) and in node (tests).
 */
import type {
  ElkExtendedEdge,
  ElkNode,
  ElkPort,
  LayoutOptions as ElkLayoutOptions
} from 'elkjs/lib/elk-api';
import {
  inPortId,
  LayoutDirection,
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

export function elkLayoutOptions(direction: LayoutDirection): ElkLayoutOptions {
  return {
    'elk.algorithm': 'layered',
    'elk.direction': direction,
    'elk.edgeRouting': 'POLYLINE',
    'elk.layered.spacing.nodeNodeBetweenLayers': '60',
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

export function toElkGraph(
  input: LayoutGraphInput,
  options: LayoutOptions
): ElkNode {
  const inSide = options.direction === 'RIGHT' ? 'WEST' : 'NORTH';
  const outSide = options.direction === 'RIGHT' ? 'EAST' : 'SOUTH';
  const children: ElkNode[] = input.nodes.map(n => {
    const ports: ElkPort[] = [];
    for (let k = 0; k < n.inPorts; k++) {
      ports.push({
        id: inPortId(n.id, k),
        width: PORT_SIZE,
        height: PORT_SIZE,
        layoutOptions: {
          'elk.port.side': inSide,
          'elk.port.index': String(inPortIndex(options.direction, k, n.inPorts))
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
  });
  const known = new Set(input.nodes.map(n => n.id));
  const edges: ElkExtendedEdge[] = input.edges
    .filter(e => known.has(e.source) && known.has(e.target))
    .map(e => ({
      id: e.id,
      sources: [outPortId(e.source)],
      targets: [inPortId(e.target, e.targetPort)]
    }));
  return {
    id: '__vizflow_root__',
    layoutOptions: elkLayoutOptions(options.direction),
    children,
    edges
  };
}

export function fromElkGraph(laidOut: ElkNode): LayoutResult {
  const nodes: NodePosition[] = (laidOut.children ?? []).map(c => {
    const prefix = `${c.id}::`;
    return {
      id: c.id,
      x: c.x ?? 0,
      y: c.y ?? 0,
      width: c.width ?? 0,
      height: c.height ?? 0,
      ports: (c.ports ?? []).map(p => ({
        id: p.id.startsWith(prefix) ? p.id.slice(prefix.length) : p.id,
        x: (p.x ?? 0) + (p.width ?? 0) / 2,
        y: (p.y ?? 0) + (p.height ?? 0) / 2
      }))
    };
  });
  return { nodes, width: laidOut.width ?? 0, height: laidOut.height ?? 0 };
}

/** Lay out a graph with the given ELK instance. */
export async function runElkLayout(
  elk: ElkLike,
  input: LayoutGraphInput,
  options: LayoutOptions
): Promise<LayoutResult> {
  if (input.nodes.length === 0) {
    return { nodes: [], width: 0, height: 0 };
  }
  const laidOut = await elk.layout(toElkGraph(input, options));
  return fromElkGraph(laidOut);
}
