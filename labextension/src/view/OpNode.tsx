import React, { memo } from 'react';
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import type { GraphNode } from '../protocol';
import { categoryClass, formatShapeDtype, phaseClass } from '../model/format';
import type { LayoutDirection, PortPosition } from '../layout/messages';

export type OpNodeData = {
  node: GraphNode;
  direction: LayoutDirection;
  /** Input ports in port order, positioned by the layout. */
  inPorts: PortPosition[];
  outPort: PortPosition | null;
  isOutput: boolean;
};

export type OpFlowNode = Node<OpNodeData, 'op'>;

/** One op: its op name, its user name (if any) and its shape and dtype. All text is React text. */
function OpNodeView({ data }: NodeProps<OpFlowNode>): JSX.Element {
  const { node, direction, inPorts, outPort, isOutput } = data;
  const horizontal = direction === 'RIGHT';
  const className = [
    'vf-node',
    categoryClass(node.category),
    phaseClass(node.phase),
    isOutput ? 'vf-node-output' : ''
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <>
      {inPorts.map(p => (
        <Handle
          key={p.id}
          id={p.id}
          type="target"
          position={horizontal ? Position.Left : Position.Top}
          isConnectable={false}
          style={horizontal ? { top: p.y } : { left: p.x }}
        />
      ))}
      <div
        className={className}
        data-node-id={node.id}
        title={node.device ? `${node.op} on ${node.device}` : node.op}
      >
        <div className="vf-node-op">{node.op}</div>
        {node.name ? <div className="vf-node-name">{node.name}</div> : null}
        <div className="vf-node-shape">
          {formatShapeDtype(node.shape, node.dtype)}
        </div>
      </div>
      {outPort ? (
        <Handle
          id={outPort.id}
          type="source"
          position={horizontal ? Position.Right : Position.Bottom}
          isConnectable={false}
          style={horizontal ? { top: outPort.y } : { left: outPort.x }}
        />
      ) : null}
    </>
  );
}

export const OpNode = memo(OpNodeView);

export const nodeTypes = { op: OpNode };
