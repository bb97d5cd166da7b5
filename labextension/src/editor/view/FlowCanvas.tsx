/**
 * The xyflow canvas, holding the drag in progress itself: a drag tick
 * re-renders this component and the dragged nodes only, not the editor's
 * palette, toolbar and inspector around it (on 500 nodes those cost a frame).
 * It also decides when off-screen nodes are left out (see useCulling).
 */
import React, {
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState
} from 'react';
import {
  ReactFlow,
  useStore,
  useStoreApi,
  type Edge,
  type NodeChange,
  type OnMove,
  type OnMoveEnd,
  type ReactFlowProps
} from '@xyflow/react';
import type { Point } from '../model/document';
import type { EditorFlowNode } from './EditNode';
import { cullsAt, settleDrag, withDragAndSelection } from './flowElements';

export interface FlowCanvasProps extends Omit<
  ReactFlowProps<EditorFlowNode, Edge>,
  'nodes' | 'onNodesChange' | 'onNodeDragStop' | 'onlyRenderVisibleElements'
> {
  /** At this zoom and nearer, nodes off screen are not drawn. */
  cullFrom: number;
  /** The canvas nodes as the document places them. */
  base: EditorFlowNode[];
  selected: ReadonlySet<string>;
  /** Nodes the user selected (true) or deselected (false). */
  onSelectNodes: (changes: ReadonlyMap<string, boolean>) => void;
  /** A drag ended with these canvas items at these corners; the drag is shown until it settles. */
  onMoved: (moved: ReadonlyMap<string, Point>) => Promise<unknown>;
}

/** The positions of a drag in progress, and the handlers that feed and end it. */
function useNodeDrag(
  onMoved: FlowCanvasProps['onMoved'],
  onSelect: FlowCanvasProps['onSelectNodes']
): {
  drag: ReadonlyMap<string, Point>;
  onNodesChange: (changes: NodeChange<EditorFlowNode>[]) => void;
  onDragStop: () => void;
} {
  const [drag, setDrag] = useState<ReadonlyMap<string, Point>>(new Map());
  const dragRef = useRef(drag);
  dragRef.current = drag;
  const onNodesChange = useCallback(
    (changes: NodeChange<EditorFlowNode>[]) => {
      let sel: Map<string, boolean> | null = null;
      let moved: Map<string, Point> | null = null;
      for (const c of changes) {
        if (c.type === 'select') {
          sel = sel ?? new Map();
          sel.set(c.id, c.selected);
        } else if (c.type === 'position' && c.position) {
          moved = moved ?? new Map(dragRef.current);
          moved.set(c.id, c.position);
        }
      }
      if (sel) {
        onSelect(sel);
      }
      if (moved) {
        setDrag(moved);
      }
    },
    [onSelect]
  );
  const onDragStop = useCallback(() => {
    const moved = dragRef.current;
    if (moved.size) {
      void onMoved(moved).finally(() =>
        setDrag(current => settleDrag(current, moved))
      );
    }
  }, [onMoved]);
  return { drag, onNodesChange, onDragStop };
}

/** How long the view must rest before the culling choice follows its zoom (a slow wheel pauses between notches). */
const REST_MS = 300;

/**
 * Whether off-screen nodes are left out, chosen from the zoom once the view
 * has rested REST_MS after a pan or zoom, never during one: a wheel zoom
 * crossing `from` used to mount or unmount hundreds of nodes in one frame, and
 * a dozen more on each step after as the screen's edge swept over them (zoom
 * ran at 20 frames/s on 500 nodes). Zooming in from afar now moves nodes
 * already drawn; the culled set shrinks once, when the wheel stops.
 */
function useCulling(
  from: number,
  onMoveStart: OnMove | undefined,
  onMoveEnd: OnMoveEnd | undefined
): { cull: boolean; onMoveStart: OnMove; onMoveEnd: OnMoveEnd } {
  const store = useStoreApi();
  const [cull, setCull] = useState(() =>
    cullsAt(store.getState().transform[2], from)
  );
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  const started = useCallback<OnMove>(
    (event, viewport) => {
      window.clearTimeout(timer.current);
      onMoveStart?.(event, viewport);
    },
    [onMoveStart]
  );
  const ended = useCallback<OnMoveEnd>(
    (event, viewport) => {
      window.clearTimeout(timer.current);
      timer.current = window.setTimeout(
        () => setCull(cullsAt(viewport.zoom, from)),
        REST_MS
      );
      onMoveEnd?.(event, viewport);
    },
    [from, onMoveEnd]
  );
  return { cull, onMoveStart: started, onMoveEnd: ended };
}

/**
 * A class on the canvas while its zoom is below `below` (a child of the canvas:
 * crossing the zoom re-renders this alone, and the class change restyles only
 * the elements its CSS rules name).
 */
export function ZoomClass(props: { below: number; className: string }): null {
  const { below, className } = props;
  const on = useStore(st => st.transform[2] < below);
  const store = useStoreApi();
  useEffect(() => {
    store.getState().domNode?.classList.toggle(className, on);
  }, [store, className, on]);
  return null;
}

export function FlowCanvas(props: FlowCanvasProps): JSX.Element {
  const {
    base,
    selected,
    onSelectNodes,
    onMoved,
    cullFrom,
    onMoveStart,
    onMoveEnd,
    children,
    ...rest
  } = props;
  const { drag, onNodesChange, onDragStop } = useNodeDrag(
    onMoved,
    onSelectNodes
  );
  const culling = useCulling(cullFrom, onMoveStart, onMoveEnd);
  const nodes = useMemo(
    () => withDragAndSelection(base, drag, selected),
    [base, drag, selected]
  );
  return (
    <ReactFlow
      {...rest}
      nodes={nodes}
      onNodesChange={onNodesChange}
      onNodeDragStop={onDragStop}
      onlyRenderVisibleElements={culling.cull}
      onMoveStart={culling.onMoveStart}
      onMoveEnd={culling.onMoveEnd}
    >
      {children}
    </ReactFlow>
  );
}
