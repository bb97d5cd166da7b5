import React, { useEffect, useMemo, useReducer, useRef } from 'react';
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Node
} from '@xyflow/react';
import type { GraphPayload } from '../protocol';
import { buildGraphModel } from '../model/graphModel';
import { categoryClass } from '../model/format';
import {
  initialViewerState,
  LayoutState,
  viewerReducer
} from '../model/viewerState';
import { LayoutCancelledError, LayoutClient } from '../layout/client';
import { layoutInputFromModel } from '../layout/fromModel';
import type { LayoutDirection } from '../layout/messages';
import { flowElements } from './flowElements';
import { nodeTypes, OpFlowNode } from './OpNode';

export interface GraphViewerApi {
  fit(): void;
}

export interface GraphViewerProps {
  payload: GraphPayload | null;
  direction: LayoutDirection;
  layoutClient: LayoutClient;
  /** CSS height of the viewer, e.g. '420px'. */
  height?: string;
  /** Told the drawn state: 'done' only once the laid-out nodes are on screen. */
  onLayoutState?: (state: LayoutState, error: string | null) => void;
  /** Given the viewer's API once mounted, and null on unmount. */
  onApi?: (api: GraphViewerApi | null) => void;
}

const FIT_OPTIONS = { padding: 0.15, duration: 0 };

function minimapClass(node: Node): string {
  const data = (node as OpFlowNode).data;
  return data?.node ? categoryClass(data.node.category) : '';
}

function GraphCanvas(props: GraphViewerProps): JSX.Element {
  const { payload, direction, layoutClient, height, onLayoutState, onApi } =
    props;
  const model = useMemo(() => buildGraphModel(payload), [payload]);
  const [state, dispatch] = useReducer(viewerReducer, initialViewerState);
  const seq = useRef(0);
  const flow = useReactFlow();

  // Ask for a layout whenever the graph or the direction changes.
  useEffect(() => {
    const mySeq = ++seq.current;
    dispatch({ type: 'layout-started', seq: mySeq });
    layoutClient.request(layoutInputFromModel(model), { direction }).then(
      layout => dispatch({ type: 'layout-finished', seq: mySeq, layout }),
      (err: unknown) => {
        if (err instanceof LayoutCancelledError) {
          return;
        }
        const message = err instanceof Error ? err.message : String(err);
        console.error('vizflow: graph layout failed', err);
        dispatch({ type: 'layout-failed', seq: mySeq, message });
      }
    );
  }, [model, direction, layoutClient]);

  const { nodes, edges } = useMemo(
    () => flowElements(model, state.layout, direction),
    [model, state.layout, direction]
  );

  // Report the state; a finished layout counts as drawn once it is fitted into view
  // (nodes carry their laid-out width and height, so React Flow shows them at once).
  useEffect(() => {
    if (state.layoutState !== 'done') {
      onLayoutState?.(state.layoutState, state.error);
      return;
    }
    let cancelled = false;
    const finish = (): void => {
      if (!cancelled) {
        onLayoutState?.('done', null);
      }
    };
    if (nodes.length === 0) {
      finish();
      return;
    }
    requestAnimationFrame(() => {
      if (cancelled) {
        return;
      }
      void Promise.resolve(flow.fitView(FIT_OPTIONS)).then(() =>
        requestAnimationFrame(finish)
      );
    });
    return () => {
      cancelled = true;
    };
  }, [state.layoutState, state.layout, state.error]);

  useEffect(() => {
    onApi?.({ fit: () => void flow.fitView(FIT_OPTIONS) });
    return () => onApi?.(null);
  }, [flow, onApi]);

  return (
    <div className="vf-graph-body" style={{ height: height || '420px' }}>
      <div className="vf-graph-header">
        <span className="vf-graph-title">{model.title || 'graph'}</span>
        <span className="vf-graph-counts">
          {`${model.nodes.length} nodes, ${model.edges.length} edges`}
        </span>
        {model.issues.length > 0 ? (
          <span
            className="vf-graph-issues"
            title={model.issues.map(i => i.message).join('\n')}
          >
            {`${model.issues.length} problem(s) in the graph`}
          </span>
        ) : null}
      </div>
      {state.layoutState === 'error' ? (
        <div className="vf-graph-error" role="alert">
          {`Layout failed: ${state.error ?? 'unknown error'}`}
        </div>
      ) : null}
      <div className="vf-graph-canvas">
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          nodesConnectable={false}
          nodesDraggable={true}
          elementsSelectable={true}
          onlyRenderVisibleElements={true}
          fitView={true}
          fitViewOptions={FIT_OPTIONS}
          minZoom={0.05}
          maxZoom={4}
        >
          <Background />
          <Controls showInteractive={false} />
          <MiniMap
            nodeClassName={minimapClass}
            pannable={true}
            zoomable={true}
            style={{ width: 140, height: 90 }}
          />
        </ReactFlow>
      </div>
    </div>
  );
}

/** The graph viewer: a React Flow canvas over the laid-out graph model. */
export function GraphViewer(props: GraphViewerProps): JSX.Element {
  return (
    <ReactFlowProvider>
      <GraphCanvas {...props} />
    </ReactFlowProvider>
  );
}
