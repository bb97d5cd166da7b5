/**
 * The editor's boxes: a node with typed ports (each input labelled with its
 * name and the shape wired into it, the output with its shape and dtype), its
 * state colour and its error on the node; a collapsed group's box; an open
 * group's frame. While a wire is dragged the canvas marks the ports (see
 * view/wireVerdicts.ts) without redrawing the nodes.
 */
import React, { memo } from 'react';
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { categoryClass, formatShapeDtype } from '../../model/format';
import type { EditorGroup, EditorNode } from '../model/document';
import { inHandle, outHandle } from '../model/flow';
import { nodeMessage, STATE_TEXT } from '../model/validity';

export type EditNodeData = {
  node: EditorNode;
  category: string;
  [key: string]: unknown;
};

export type GroupBoxData = {
  group: EditorGroup;
  members: number;
  onToggle: (group: string, collapsed: boolean) => void;
  [key: string]: unknown;
};

export type FrameData = GroupBoxData;

export type EditFlowNode = Node<EditNodeData, 'edit'>;
export type GroupBoxNode = Node<GroupBoxData, 'editGroup'>;
export type FrameNode = Node<FrameData, 'editFrame'>;
export type EditorFlowNode = EditFlowNode | GroupBoxNode | FrameNode;

function title(node: EditorNode): string {
  const lines = [
    `${node.name} = ${node.op ?? node.kind}`,
    STATE_TEXT[node.state]
  ];
  const msg = nodeMessage(node);
  if (msg) {
    lines.push(msg);
  }
  return lines.join('\n');
}

function EditNodeView({
  data,
  selected
}: NodeProps<EditFlowNode>): JSX.Element {
  const { node, category } = data;
  const message = nodeMessage(node);
  const out = node.outputs[0];
  return (
    <div
      className={[
        'vf-edit-node',
        categoryClass(category),
        `vf-edit-state-${node.state}`,
        selected ? 'vf-edit-selected' : ''
      ]
        .filter(Boolean)
        .join(' ')}
      data-node-id={node.id}
      data-node-name={node.name}
      data-state={node.state}
      title={title(node)}
    >
      <div className="vf-edit-node-head">
        <span className="vf-edit-node-op">{node.op ?? node.kind}</span>
        {node.name !== (node.op ?? node.kind) ? (
          <span className="vf-edit-node-name">{node.name}</span>
        ) : null}
      </div>
      <div className="vf-edit-ports">
        <div className="vf-edit-inputs">
          {node.inputs.map(p => (
            <div
              key={p.port}
              className={`vf-edit-port${p.connected ? ' vf-port-connected' : ''}`}
              data-port={p.port}
              data-port-name={p.name}
            >
              <Handle
                id={inHandle(p.port)}
                type="target"
                position={Position.Left}
                className="vf-edit-handle"
              />
              <span className="vf-edit-port-name">{p.name}</span>
              <span className="vf-edit-port-shape">
                {p.connected ? formatShapeDtype(p.shape, p.dtype ?? '') : ''}
              </span>
            </div>
          ))}
        </div>
        {out ? (
          <div className="vf-edit-output" data-port={out.port}>
            <span className="vf-edit-port-shape">
              {formatShapeDtype(out.shape, out.dtype ?? '')}
            </span>
            <Handle
              id={outHandle(out.port)}
              type="source"
              position={Position.Right}
              className="vf-edit-handle"
            />
          </div>
        ) : null}
      </div>
      {message ? <div className="vf-edit-error">{message}</div> : null}
      {node.value && node.state === 'executed' ? (
        <div className="vf-edit-value" title={node.value.preview}>
          {node.value.preview}
        </div>
      ) : null}
    </div>
  );
}

function GroupBoxView({ data }: NodeProps<GroupBoxNode>): JSX.Element {
  const { group, members, onToggle } = data;
  return (
    <div
      className="vf-edit-groupbox"
      data-group-id={group.id}
      data-group-name={group.name}
      title={`${group.name} (${group.type}) — ${members} nodes; double-click to open`}
      onDoubleClick={() => onToggle(group.id, false)}
    >
      <Handle
        id="in"
        type="target"
        position={Position.Left}
        className="vf-edit-handle"
        isConnectable={false}
      />
      <div className="vf-edit-groupbox-title">
        <button
          className="vf-group-toggle"
          aria-label={`Expand ${group.name}`}
          onClick={e => {
            e.stopPropagation();
            onToggle(group.id, false);
          }}
        >
          +
        </button>
        <span>{group.name}</span>
        {group.type !== 'scope' ? (
          <span className="vf-group-type">{` · ${group.type}`}</span>
        ) : null}
      </div>
      <div className="vf-edit-groupbox-count">{`${members} node${members === 1 ? '' : 's'}`}</div>
      <Handle
        id="out"
        type="source"
        position={Position.Right}
        className="vf-edit-handle"
        isConnectable={false}
      />
    </div>
  );
}

function FrameView({ data, selected }: NodeProps<FrameNode>): JSX.Element {
  const { group, onToggle } = data;
  return (
    <div
      className={`vf-edit-frame${selected ? ' vf-edit-selected' : ''}`}
      data-frame-id={group.id}
      data-group-name={group.name}
    >
      <div className="vf-edit-frame-title">
        <button
          className="vf-group-toggle"
          aria-label={`Collapse ${group.name}`}
          onClick={e => {
            e.stopPropagation();
            onToggle(group.id, true);
          }}
        >
          −
        </button>
        <span>{group.name}</span>
        {group.type !== 'scope' ? (
          <span className="vf-group-type">{` · ${group.type}`}</span>
        ) : null}
      </div>
    </div>
  );
}

/** A node draws from its data and selection only: a drag moving it does not redraw it. */
function sameNodeLook(
  a: NodeProps<EditFlowNode>,
  b: NodeProps<EditFlowNode>
): boolean {
  return a.data === b.data && a.selected === b.selected;
}

export const editNodeTypes = {
  edit: memo(EditNodeView, sameNodeLook),
  editGroup: memo(GroupBoxView),
  editFrame: memo(FrameView)
};
