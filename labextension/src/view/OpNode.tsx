import React, { memo } from 'react';
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import type { GraphNode } from '../protocol';
import {
  categoryClass,
  cssToken,
  formatShapeDtype,
  phaseClass
} from '../model/format';
import type { ScopeGroup } from '../model/scopeTree';
import { nodeCountText } from '../model/visibleGraph';
import type { LayoutDirection, PortPosition } from '../layout/messages';
import { nonfiniteOf, type Nonfinite } from './hooks/nonfinite';
import type { DiffStatus } from '../model/diff';

/** What every drawn box shares: ports, highlight and overlay colour. */
interface BoxData {
  direction: LayoutDirection;
  inPorts: PortPosition[];
  outPort: PortPosition | null;
  /** Lit because the hovered node is its forward/backward partner (or a search hit). */
  linked: boolean;
  /** Overlay fill, a CSS colour expression, or null. */
  overlay: string | null;
  /** Compare: how this item differs from the other side, or null. */
  diff: Exclude<DiffStatus, 'same'> | null;
  /** The debugger's mark (where the session is, a value note), or null outside a debugger. */
  debug?: DebugMark | null;
  [key: string]: unknown;
}

/** A debugger's mark on a box: the node paused at, run or stale, a short value note, a breakpoint. */
export interface DebugMark {
  state: 'current' | 'done' | 'stale' | null;
  note: string;
  breakpoint: boolean;
  /** A parameter's gradient accumulated so far in the backward pass (its norm, as text). */
  grad?: string;
  /** On a collapsed group: the node paused at, hidden inside it. */
  inside?: { id: string; name: string };
}

function debugClasses(mark: DebugMark | null | undefined): string {
  if (!mark) {
    return '';
  }
  return [
    mark.state ? `vf-debug-${mark.state}` : '',
    mark.breakpoint ? 'vf-debug-bp' : ''
  ]
    .filter(Boolean)
    .join(' ');
}

/** The debugger's note under a box (a finished node's value summary, "stale", paused inside). */
function DebugNote(props: {
  mark: DebugMark | null | undefined;
}): JSX.Element | null {
  const { mark } = props;
  if (!mark || (!mark.note && !mark.breakpoint && !mark.grad && !mark.inside)) {
    return null;
  }
  if (mark.inside) {
    return (
      <div
        className="vf-node-debug vf-debug-inside"
        data-paused-inside={mark.inside.id}
        title="The node paused at is inside this group: double-click (or +) to open it"
      >
        {`paused inside at ${mark.inside.name}`}
      </div>
    );
  }
  return (
    <div className="vf-node-debug" data-debug-note={mark.note}>
      {mark.breakpoint ? (
        <span
          className="vf-bp-dot"
          title="breakpoint"
          aria-label="breakpoint"
        />
      ) : null}
      {mark.note}
      {mark.grad ? (
        <span
          className="vf-node-grad"
          data-grad-norm={mark.grad}
          title="this parameter's gradient so far: the norm of the contributions run"
        >
          {`∇ ${mark.grad}`}
        </span>
      ) : null}
    </div>
  );
}

export type OpNodeData = BoxData & {
  node: GraphNode;
  isOutput: boolean;
};

export type GroupNodeData = BoxData & {
  group: ScopeGroup;
  onExpand: (path: string) => void;
  /** A member produces (or passes on) a NaN/Inf. */
  nonfinite: Nonfinite | null;
};

export type FrameNodeData = {
  group: ScopeGroup;
  onCollapse: (path: string) => void;
  /** Too long for rounded corners (flowElements' squareFrame): a cheap dashed outline. */
  square: boolean;
  [key: string]: unknown;
};

export type OpFlowNode = Node<OpNodeData, 'op'>;
export type GroupFlowNode = Node<GroupNodeData, 'scope'>;
export type FrameFlowNode = Node<FrameNodeData, 'frame'>;
export type ViewerFlowNode = OpFlowNode | GroupFlowNode | FrameFlowNode;

function Ports(props: { data: BoxData }): JSX.Element {
  const { direction, inPorts, outPort } = props.data;
  const horizontal = direction === 'RIGHT';
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

/** One op: op name, user name (if any), shape and dtype. All text is React text. */
function OpNodeView({ data }: NodeProps<OpFlowNode>): JSX.Element {
  const { node, isOutput, linked, overlay, diff, debug } = data;
  const nonfinite = nonfiniteOf(node);
  const className = [
    'vf-node',
    categoryClass(node.category),
    phaseClass(node.phase),
    node.device ? `vf-device-${cssToken(node.device.split(':')[0])}` : '',
    isOutput ? 'vf-node-output' : '',
    linked ? 'vf-linked' : '',
    overlay ? 'vf-overlaid' : '',
    nonfinite ? `vf-nonfinite-${nonfinite}` : '',
    diff ? `vf-diff-${diff}` : '',
    debugClasses(debug)
  ]
    .filter(Boolean)
    .join(' ');
  const title = [
    node.name ? `${node.name} = ${node.op}` : node.op,
    node.scope ? `scope: ${node.scope}` : '',
    node.device ? `device: ${node.device}` : '',
    node.phase !== 'forward' ? `phase: ${node.phase}` : '',
    nonfinite === 'produced' ? 'produces NaN/Inf' : '',
    nonfinite === 'passed' ? 'passes on a NaN/Inf' : '',
    diff ? `${diff} (compared with the other graph)` : ''
  ]
    .filter(Boolean)
    .join('\n');
  return (
    <>
      <Ports data={data} />
      <div
        className={className}
        data-node-id={node.id}
        data-phase={node.phase}
        data-nonfinite={nonfinite ?? undefined}
        data-diff={diff ?? undefined}
        data-debug={debug?.state ?? undefined}
        title={title}
        style={overlay ? { background: overlay } : undefined}
      >
        <div className="vf-node-op">
          {node.op}
          {node.device && node.device !== 'cpu' ? (
            <span className="vf-node-device">{node.device}</span>
          ) : null}
        </div>
        {node.name ? <div className="vf-node-name">{node.name}</div> : null}
        <div className="vf-node-shape">
          {formatShapeDtype(node.shape, node.dtype)}
        </div>
      </div>
      <DebugNote mark={debug} />
    </>
  );
}

/** How many times a group's block occurs: a run's copies, or how often the group is repeated. */
function repeatTimes(group: ScopeGroup): number {
  return group.kind === 'run' ? group.copies : group.repeatCount;
}

/** A group's heading (model/visibleGraph's groupTitle in parts): name, module class, ×N badge. */
function GroupHeading(props: {
  group: ScopeGroup;
  nameClass: string;
}): JSX.Element {
  const { group, nameClass } = props;
  const times = repeatTimes(group);
  return (
    <>
      <span className={nameClass}>
        {group.name}
        {group.typeName ? (
          <span className="vf-group-type">{` · ${group.typeName}`}</span>
        ) : null}
      </span>
      {times > 1 ? (
        <span className="vf-repeat-badge">{`×${times}`}</span>
      ) : null}
    </>
  );
}

/** A collapsed group: name, module class, repeat badge, node count, op summary; double-click expands. */
function GroupNodeView({ data }: NodeProps<GroupFlowNode>): JSX.Element {
  const { group, onExpand, linked, overlay, nonfinite, diff, debug } = data;
  const repeated = group.repeatCount > 1;
  const className = [
    'vf-group',
    repeated ? `vf-repeat vf-repeat-${group.repeatFamily % 6}` : '',
    linked ? 'vf-linked' : '',
    nonfinite ? `vf-nonfinite-${nonfinite}` : '',
    diff ? `vf-diff-${diff}` : '',
    debugClasses(debug)
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <>
      <Ports data={data} />
      <div
        className={className}
        data-group-path={group.path}
        data-nonfinite={nonfinite ?? undefined}
        data-diff={diff ?? undefined}
        data-debug={debug?.state ?? undefined}
        title={`${group.path}\n${group.descendants.length} nodes — double-click to expand`}
        style={overlay ? { background: overlay } : undefined}
        onDoubleClick={() => onExpand(group.path)}
      >
        <div className="vf-group-title">
          <button
            className="vf-group-toggle"
            title="Expand"
            aria-label={`Expand ${group.path}`}
            onClick={e => {
              e.stopPropagation();
              onExpand(group.path);
            }}
          >
            +
          </button>
          <GroupHeading group={group} nameClass="vf-group-name" />
        </div>
        <div className="vf-group-count">
          {nodeCountText(group.descendants.length)}
        </div>
        <div className="vf-group-ops">
          {group.opSummary.map(o => `${o.op} ${o.count}`).join(', ')}
        </div>
      </div>
      <DebugNote mark={debug} />
    </>
  );
}

/** The frame around an expanded group's members, with a collapse button. */
function FrameNodeView({ data }: NodeProps<FrameFlowNode>): JSX.Element {
  const { group, onCollapse, square } = data;
  const repeated = group.repeatCount > 1;
  const className = [
    'vf-frame',
    repeated ? `vf-repeat-${group.repeatFamily % 6}` : '',
    square ? 'vf-frame-square' : ''
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <div className={className} data-frame-path={group.path} title={group.path}>
      <div className="vf-frame-title">
        <button
          className="vf-group-toggle"
          title="Collapse"
          aria-label={`Collapse ${group.path}`}
          onClick={e => {
            e.stopPropagation();
            onCollapse(group.path);
          }}
        >
          −
        </button>
        <GroupHeading group={group} nameClass="vf-frame-name" />
      </div>
    </div>
  );
}

export const OpNode = memo(OpNodeView);
export const GroupNode = memo(GroupNodeView);
export const FrameNode = memo(FrameNodeView);

export const nodeTypes = { op: OpNode, scope: GroupNode, frame: FrameNode };
