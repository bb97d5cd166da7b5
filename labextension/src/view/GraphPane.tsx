/**
 * One graph: header, canvas, inspector. A thin view over the plain-TypeScript model
 * (model/*) and hooks with one job each (hooks/*): DESIGN.md Principle 8.
 */
import React, {
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState
} from 'react';
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Node,
  type Viewport
} from '@xyflow/react';
import type { GraphPayload } from '../protocol';
import { buildGraphModel } from '../model/graphModel';
import { categoryClass } from '../model/format';
import { buildScopeTree } from '../model/scopeTree';
import {
  buildVisibleGraph,
  frameId,
  groupPathOfItem,
  isGroupItemId
} from '../model/visibleGraph';
import type { Box } from '../model/navigation';
import type { ViewerSettings } from '../model/settings';
import { minimapShown, minimapSize } from '../model/minimap';
import type { LayoutClient } from '../layout/client';
import type { LayoutDirection } from '../layout/messages';
import { alignToPaneA, type LaidOutPane } from '../layout/compareAlign';
import {
  flowElements,
  newFlowReuse,
  shownEdgeNotes,
  visibleEdgeIndex
} from './flowElements';
import { nodeTypes, type DebugMark, type OpFlowNode } from './OpNode';
import { edgeTypes } from './LabelledEdge';
import { shownDebugMarks } from './debugMarks';
import { followViewport, wellInside } from './follow';
import { Inspector, type InspectBackend } from './Inspector';
import { Legend } from './Legend';
import { SearchBox } from './SearchBox';
import { PaneHeader } from './PaneHeader';
import { download, exportSvgText, svgToPng } from './exportView';
import { useExpansion } from './hooks/useExpansion';
import { useLayout } from './hooks/useLayout';
import { useOverlay } from './hooks/useOverlay';
import { useLinked } from './hooks/useLinked';
import { useReveal, useSelection } from './hooks/useSelection';
import { useViewport } from './hooks/useViewport';
import { useDrawReport, type LayoutStateListener } from './hooks/useDrawReport';
import { usePrefetch } from './hooks/usePrefetch';
import { paneKeyHandler } from './hooks/usePaneKeys';
import { useWheelCapture } from './hooks/useWheelCapture';
import { itemDiffMarks } from './hooks/diffMarks';
import type { DiffStatus, GraphDiff } from '../model/diff';
import { startItem } from './hooks/openingView';
import {
  firstNonfiniteProducer,
  groupNonfinite,
  nonfiniteCounts
} from './hooks/nonfinite';

export type { PaneTiming } from './hooks/useDrawReport';

export interface PaneApi {
  fit(): void;
  /** Select a node (by model id), expanding its groups, and centre it. */
  reveal(nodeId: string): void;
  /**
   * Bring the node the host moved to (its `tracked` prop) into view: the view moves only
   * when the node is not drawn well inside it, so stepping along a visible stretch redraws
   * no canvas; a node in a collapsed group stays in it (the group is marked), with no
   * re-layout. A node not drawn at all is revealed (its groups opened).
   */
  track(nodeId: string): void;
  /** The other side of a comparison selected a node this graph has no match for. */
  noMatch(name: string): void;
  /** Take the other side's viewport (its layout is aligned to this one's). */
  follow(vp: Viewport): void;
}

export interface GraphPaneProps {
  payload: GraphPayload | null;
  direction: LayoutDirection;
  createLayoutClient: () => LayoutClient;
  backend: InspectBackend | null;
  settings: ViewerSettings;
  /** Told the drawn state: 'done' only once the laid-out nodes are on screen. */
  onLayoutState?: LayoutStateListener;
  onApi?: (api: PaneApi | null) => void;
  /** Told the model id of each node the user selects. */
  onSelectNode?: (nodeId: string) => void;
  /** The pane's heading in place of the graph's title (a side of a comparison). */
  label?: string;
  /** Compare: each node's status against the other graph (model/diff). */
  diffStatus?: ReadonlyMap<string, DiffStatus>;
  /** A side of a comparison: the minimap starts hidden (the panes are narrow). */
  inCompare?: boolean;
  /** Given when the viewer's height follows the graph: told the pane height it wants. */
  onWantHeight?: (px: number) => void;
  /** Told each layout drawn, with the visible graph it is for (pane A of a comparison). */
  onLaidOut?: (pane: LaidOutPane) => void;
  /** Compare, pane B: pane A's drawn layout and the diff, so matched nodes sit level. */
  alignTo?: { pane: LaidOutPane; diff: GraphDiff } | null;
  /** A debugger's marks by model node id (a collapsed group shows its members' current mark). */
  debugMarks?: ReadonlyMap<string, DebugMark>;
  /** A debugger's notes on edges (gradients flowing along), by edgeKey of the model nodes they join. */
  debugEdgeNotes?: ReadonlyMap<string, string>;
  /** Right-click on a node (model id) at client x, y; the browser's menu is not shown. */
  onNodeContextMenu?: (nodeId: string, x: number, y: number) => void;
  /**
   * The node a debugger is at and the moment it got there: each new key selects it, while
   * rendering (not from an effect), so a step draws the pane once.
   */
  tracked?: { key: string; id: string | null };
  /** False when the host shows its own inspector (the debugger): selecting opens none here. */
  showInspector?: boolean;
  /** Told each pan or zoom the user makes (not programmatic moves): compare keeps sides level. */
  onUserMove?: (vp: Viewport) => void;
}

function minimapClass(node: Node): string {
  const data = (node as OpFlowNode).data;
  if (node.type === 'scope') {
    return 'vf-minimap-group';
  }
  return data?.node ? categoryClass(data.node.category) : 'vf-minimap-frame';
}

/**
 * The minimap's fill and stroke come from its nodes' classes (base.css). Given as one function
 * (not left unset, which xyflow turns into a new function per render), so that a minimap
 * redraw re-renders only the nodes that changed.
 */
function fromClass(): string {
  return '';
}

/** xyflow's margin around a panel (the minimap's) in its corner of the canvas. */
const MINIMAP_MARGIN_PX = 15;

/** The minimap's drawing inside its 1px border (base.css), so that the whole box has `outer`'s size. */
function minimapInner(outer: { width: number; height: number }): {
  width: number;
  height: number;
} {
  return { width: outer.width - 2, height: outer.height - 2 };
}

function PaneCanvas(props: GraphPaneProps): JSX.Element {
  const { payload, direction, settings, onApi, onSelectNode } = props;
  const model = useMemo(() => buildGraphModel(payload), [payload]);
  const tree = useMemo(() => buildScopeTree(model), [model]);
  const { expanded, updateExpanded, onExpand, onCollapse } = useExpansion(
    tree,
    settings
  );
  const vg = useMemo(
    () => buildVisibleGraph(model, tree, expanded),
    [model, tree, expanded]
  );
  const { client, state, shownVg, requestedAt } = useLayout(
    vg,
    direction,
    props.createLayoutClient
  );
  const { onLaidOut, alignTo } = props;
  useEffect(() => {
    if (state.layout) {
      onLaidOut?.({ vg: shownVg, layout: state.layout });
    }
  }, [state.layout, shownVg, onLaidOut]);
  /** The drawn layout: pane B of a comparison moved level with pane A. */
  const layout = useMemo(
    () =>
      state.layout && alignTo
        ? alignToPaneA(
            alignTo.pane,
            { vg: shownVg, layout: state.layout },
            alignTo.diff,
            direction
          )
        : state.layout,
    [state.layout, shownVg, alignTo, direction]
  );
  const rootRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLDivElement>(null);
  const selection = useSelection(onSelectNode);
  const { selected, inspectorOpen, select, focusAfterLayout } = selection;
  // The host's node, selected in this render when it moved (React re-runs only this component).
  const [trackedAt, setTrackedAt] = useState('');
  const tracked = props.tracked;
  if (tracked && tracked.key !== trackedAt) {
    setTrackedAt(tracked.key);
    if (tracked.id) {
      select(shownVg.repOf.get(tracked.id) ?? tracked.id, true, false);
    }
  }
  const [inspectorWidth, setInspectorWidth] = useState<number | null>(null);
  const [inspectorFolded, setInspectorFolded] = useState(false);
  /** The user's minimap toggle; null: shown when the canvas has room for it. */
  const [mapChoice, setMapChoice] = useState<boolean | null>(
    props.inCompare ? false : null
  );
  const [query, setQuery] = useState('');
  const [showHits, setShowHits] = useState(false);
  const overlay = useOverlay(payload, model, shownVg, settings.overlay);
  const { linked, setHovered } = useLinked(model, shownVg);

  const groupMarks = useMemo(
    () => groupNonfinite(model, shownVg),
    [model, shownVg]
  );
  const diffMarks = useMemo(
    () => itemDiffMarks(model, shownVg, props.diffStatus),
    [model, shownVg, props.diffStatus]
  );
  const debugMarks = useMemo(
    () =>
      shownDebugMarks(props.debugMarks, shownVg.repOf, id => {
        const n = model.nodeById.get(id);
        return n?.name || n?.op || id;
      }),
    [props.debugMarks, shownVg, model]
  );
  const edgeIndex = useMemo(() => visibleEdgeIndex(shownVg), [shownVg]);
  const edgeNotes = useMemo(
    () => shownEdgeNotes(props.debugEdgeNotes, model.edges, edgeIndex),
    [props.debugEdgeNotes, model, edgeIndex]
  );
  const flowReuse = useRef(newFlowReuse());
  const { nodes, edges } = useMemo(
    () =>
      flowElements(
        shownVg,
        layout,
        direction,
        model.outputs,
        {
          selected,
          linked,
          overlay: overlay.colours,
          onExpand,
          onCollapse,
          groupNonfinite: groupMarks,
          diff: diffMarks,
          debug: debugMarks,
          edgeNotes
        },
        flowReuse.current
      ),
    [
      shownVg,
      layout,
      direction,
      model,
      selected,
      linked,
      overlay.colours,
      onExpand,
      onCollapse,
      groupMarks,
      diffMarks,
      debugMarks,
      edgeNotes
    ]
  );

  const boxes = useMemo(() => {
    const m = new Map<string, Box>();
    for (const p of layout?.nodes ?? []) {
      if (shownVg.itemById.has(p.id)) {
        m.set(p.id, p);
      }
    }
    return m;
  }, [layout, shownVg]);

  const view = useViewport(
    boxes,
    layout,
    direction,
    canvasRef,
    selected && inspectorOpen ? selected : null
  );
  const { centreOn, fit } = view;
  // Untouched, the map shows only for a graph bigger than the canvas with its text at its own size.
  const showMap = minimapShown(
    mapChoice,
    view.canvasW,
    view.canvasH,
    layout ? { width: layout.width, height: layout.height, zoom: 1 } : null
  );
  const reveal = useReveal(
    model,
    tree,
    expanded,
    updateExpanded,
    selection,
    centreOn
  );

  const firstNaN = useMemo(() => firstNonfiniteProducer(model), [model]);
  const nanCounts = useMemo(() => nonfiniteCounts(model), [model]);
  const wantCanvas = props.onWantHeight;
  const wantCanvasHeight = wantCanvas
    ? (px: number): void => {
        const root = rootRef.current;
        const canvas = canvasRef.current;
        if (root && canvas) {
          wantCanvas(root.offsetHeight - canvas.clientHeight + px);
        }
      }
    : undefined;

  // Open a new graph legibly (on its first NaN producer when it has one), then centre a pending focus.
  const fittedFor = useRef<unknown>(null);
  const moveView = async (): Promise<boolean> => {
    let moved = false;
    if (fittedFor.current !== model && nodes.length > 0) {
      fittedFor.current = model;
      moved = true;
      const nanItem = firstNaN ? shownVg.repOf.get(firstNaN) : undefined;
      await view.openView(
        (nanItem && boxes.get(nanItem)) || null,
        startItem(boxes, shownVg.edges, direction),
        wantCanvasHeight
      );
    }
    const focus = focusAfterLayout.current;
    if (focus && centreOn(shownVg.repOf.get(focus) ?? focus)) {
      focusAfterLayout.current = null;
      moved = true;
    }
    return moved;
  };
  useDrawReport(
    rootRef,
    state,
    shownVg,
    client,
    requestedAt,
    moveView,
    props.onLayoutState
  );
  usePrefetch(state, model, tree, expanded, shownVg, boxes, client, direction, {
    width: view.canvasW,
    height: view.canvasH
  });

  /** The name of the other side's selected node that this graph has no match for. */
  const [unmatched, setUnmatched] = useState<string | null>(null);
  useEffect(() => {
    if (selected !== null) {
      setUnmatched(null);
    }
  }, [selected]);
  const flow = useReactFlow();
  const { canvasW, canvasH } = view;
  const mapOuter = useMemo(
    () =>
      minimapSize(layout?.width ?? 0, layout?.height ?? 0, canvasW, canvasH),
    [layout, canvasW, canvasH]
  );
  const mapStyle = useMemo(() => minimapInner(mapOuter), [mapOuter]);
  // Where the minimap covers the canvas (its bottom-right corner, with xyflow's panel margin):
  // a node the debugger follows is kept out from under it.
  const mapRect = useMemo(
    () =>
      showMap
        ? {
            x: canvasW - mapOuter.width - MINIMAP_MARGIN_PX,
            y: canvasH - mapOuter.height - MINIMAP_MARGIN_PX,
            width: mapOuter.width + MINIMAP_MARGIN_PX,
            height: mapOuter.height + MINIMAP_MARGIN_PX
          }
        : null,
    [showMap, mapOuter, canvasW, canvasH]
  );
  const track = useCallback(
    (nodeId: string) => {
      const item = shownVg.repOf.get(nodeId) ?? nodeId;
      const b = boxes.get(item);
      const vp = flow.getViewport();
      const ahead = b
        ? followViewport(b, vp, canvasW, canvasH, 0.1, mapRect)
        : null;
      if (b && wellInside(b, vp, canvasW, canvasH, 0.1, mapRect)) {
        return; // drawn well inside the view: it stays put
      }
      if (ahead) {
        // Just left the view: bring it in with the stretch ahead of it (fewer, larger moves).
        void flow.setViewport(ahead, { duration: 0 });
      } else if (item !== nodeId) {
        // Inside a collapsed group: the group shows it (no re-layout); opening it is the user's.
        if (!centreOn(item)) {
          focusAfterLayout.current = item;
        }
      } else {
        reveal(nodeId, false);
      }
    },
    [
      shownVg,
      boxes,
      flow,
      canvasW,
      canvasH,
      mapRect,
      reveal,
      centreOn,
      focusAfterLayout
    ]
  );
  // Before the host's own layout effects (a debugger tracks its node there on mount).
  useLayoutEffect(() => {
    onApi?.({
      fit,
      reveal: id => reveal(id, false),
      track,
      noMatch: name => {
        select(null, false, false);
        setUnmatched(name);
      },
      follow: view.follow
    });
    return () => onApi?.(null);
  }, [fit, reveal, track, select, onApi, view.follow]);

  const focusPane = useCallback(
    () => rootRef.current?.focus({ preventScroll: true }),
    []
  );
  const wheelToCanvas = useWheelCapture(rootRef);
  const anyOpen = [...expanded].some(p => p !== '');
  const onKeyDown = paneKeyHandler(
    shownVg,
    boxes,
    direction,
    selection,
    centreOn,
    onExpand,
    () => {
      setQuery('');
      setShowHits(false);
    }
  );

  const exportAs = async (kind: 'svg' | 'png'): Promise<void> => {
    const el = rootRef.current;
    if (!el || !layout) {
      return;
    }
    const svg = exportSvgText(el, shownVg, layout, direction, overlay.colours);
    const name = (model.title || 'graph').replace(/[^\w.-]+/g, '_');
    if (kind === 'svg') {
      download(new Blob([svg], { type: 'image/svg+xml' }), `${name}.svg`);
    } else {
      download(await svgToPng(svg), `${name}.png`);
    }
  };

  // React Flow hands its handlers to every drawn node's wrapper: a new function each render
  // would re-render them all (each debugger step would redraw the whole canvas's nodes).
  const latest = useRef({
    props,
    select,
    focusPane,
    onExpand,
    setHovered,
    view
  });
  latest.current = { props, select, focusPane, onExpand, setHovered, view };
  const handlers = useMemo(
    () => ({
      onNodeClick: (_: React.MouseEvent, n: Node): void => {
        if (n.type !== 'frame') {
          latest.current.select(n.id);
        }
        latest.current.focusPane();
      },
      onNodeDoubleClick: (_: React.MouseEvent, n: Node): void => {
        const path = groupPathOfItem(n.id);
        if (n.type === 'scope' && path !== null) {
          latest.current.onExpand(path);
        }
      },
      onPaneClick: (): void => latest.current.select(null),
      onNodeContextMenu: (e: React.MouseEvent, n: Node): void => {
        if (n.type === 'op') {
          // The host's menu replaces the browser's and JupyterLab's.
          e.preventDefault();
          e.stopPropagation();
          latest.current.props.onNodeContextMenu?.(n.id, e.clientX, e.clientY);
        }
      },
      onMoveStart: (e: MouseEvent | TouchEvent | null): void => {
        // Programmatic moves come without an event.
        if (e) {
          latest.current.view.forgetCentred();
        }
      },
      onMove: (e: MouseEvent | TouchEvent | null, vp: Viewport): void => {
        if (e) {
          latest.current.props.onUserMove?.(vp);
        }
      },
      onNodeMouseEnter: (_: React.MouseEvent, n: Node): void =>
        latest.current.setHovered(n.type === 'op' ? n.id : null),
      onNodeMouseLeave: (): void => latest.current.setHovered(null)
    }),
    []
  );

  const selNode = selected ? (model.nodeById.get(selected) ?? null) : null;
  const selGroupPath =
    selected && isGroupItemId(selected) ? groupPathOfItem(selected) : null;
  const selGroup =
    selGroupPath !== null ? (tree.groups.get(selGroupPath) ?? null) : null;

  const heading = props.label ?? (model.title || 'graph');
  const counts =
    `${model.nodes.length} nodes, ${model.edges.length} edges` +
    (vg.items.length !== model.nodes.length
      ? ` (${vg.items.length} shown)`
      : '');
  const { metricInfo } = overlay;

  return (
    <div
      className="vf-pane"
      ref={rootRef}
      tabIndex={0}
      onKeyDown={onKeyDown}
      data-layout-state="idle"
      aria-label={`graph ${model.title}`}
    >
      <PaneHeader
        heading={heading}
        counts={counts}
        issues={model.issues.map(i => i.message)}
        search={
          <SearchBox
            model={model}
            search={{ query, setQuery, showHits, setShowHits }}
            reveal={reveal}
            focusPane={focusPane}
          />
        }
        overlay={overlay}
        nan={
          firstNaN
            ? {
                ...nanCounts,
                select: () => {
                  reveal(firstNaN);
                  focusPane();
                }
              }
            : null
        }
        groups={
          tree.groups.size > 1
            ? {
                anyOpen,
                toggle: () =>
                  updateExpanded(() =>
                    anyOpen ? new Set() : new Set(tree.groups.keys())
                  )
              }
            : null
        }
        map={{ shown: showMap, toggle: () => setMapChoice(!showMap) }}
        fit={fit}
        exportAs={kind => void exportAs(kind)}
      />
      {metricInfo ? <Legend info={metricInfo} scale={overlay.scale} /> : null}
      {unmatched !== null ? (
        <div className="vf-no-match" role="status">
          {`No match here for “${unmatched}” (selected in the other graph)`}
        </div>
      ) : null}
      {state.layoutState === 'error' ? (
        <div className="vf-graph-error" role="alert">
          {`Layout failed: ${state.error ?? 'unknown error'}`}
        </div>
      ) : null}
      <div className="vf-pane-main">
        <div
          className="vf-graph-canvas"
          ref={canvasRef}
          data-wheel={wheelToCanvas ? 'canvas' : 'page'}
          onMouseDownCapture={focusPane}
        >
          <ReactFlow
            nodes={nodes}
            edges={edges}
            nodeTypes={nodeTypes}
            edgeTypes={edgeTypes}
            nodesConnectable={false}
            nodesDraggable={false}
            elementsSelectable={true}
            disableKeyboardA11y={true}
            deleteKeyCode={null}
            onlyRenderVisibleElements={true}
            elevateNodesOnSelect={false}
            minZoom={0.02}
            maxZoom={4}
            preventScrolling={wheelToCanvas}
            onNodeClick={handlers.onNodeClick}
            onNodeDoubleClick={handlers.onNodeDoubleClick}
            onPaneClick={handlers.onPaneClick}
            onNodeContextMenu={
              props.onNodeContextMenu ? handlers.onNodeContextMenu : undefined
            }
            onMoveStart={handlers.onMoveStart}
            onMove={handlers.onMove}
            onNodeMouseEnter={handlers.onNodeMouseEnter}
            onNodeMouseLeave={handlers.onNodeMouseLeave}
          >
            <Background />
            <Controls showInteractive={false} />
            {showMap ? (
              <MiniMap
                nodeClassName={minimapClass}
                nodeColor={fromClass}
                nodeStrokeColor={fromClass}
                pannable={true}
                zoomable={true}
                ariaLabel="minimap"
                style={mapStyle}
              />
            ) : null}
          </ReactFlow>
        </div>
        {props.showInspector !== false &&
        inspectorOpen &&
        (selNode || selGroup) ? (
          <Inspector
            model={model}
            opDocs={payload?.op_docs}
            node={selNode}
            group={selGroup}
            backend={props.backend}
            onExpand={path => {
              focusAfterLayout.current = frameId(path);
              onExpand(path);
            }}
            onClose={() => selection.setInspectorOpen(false)}
            width={inspectorWidth}
            onResize={setInspectorWidth}
            folded={inspectorFolded}
            onFold={setInspectorFolded}
          />
        ) : null}
      </div>
    </div>
  );
}

/** One graph: toolbar, canvas, inspector. */
export function GraphPane(props: GraphPaneProps): JSX.Element {
  return (
    <ReactFlowProvider>
      <PaneCanvas {...props} />
    </ReactFlowProvider>
  );
}
