/**
 * One graph: header, canvas, inspector. A thin view over the plain-TypeScript model
 * (model/*) and hooks with one job each (hooks/*): DESIGN.md Principle 8.
 */
import React, {
  useCallback,
  useEffect,
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
import { flowElements, newFlowReuse } from './flowElements';
import { nodeTypes, type DebugMark, type OpFlowNode } from './OpNode';
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
  /** Right-click on a node (model id) at client x, y; the browser's menu is not shown. */
  onNodeContextMenu?: (nodeId: string, x: number, y: number) => void;
  /** False when the host shows its own inspector (the debugger): selecting opens none here. */
  showInspector?: boolean;
  /** Told each pan or zoom the user makes (not programmatic moves): compare keeps sides level. */
  onUserMove?: (vp: Viewport) => void;
}

/** A debugger's marks moved onto the items drawn: a hidden node's mark goes to its group. */
function shownDebugMarks(
  marks: ReadonlyMap<string, DebugMark> | undefined,
  repOf: ReadonlyMap<string, string>
): ReadonlyMap<string, DebugMark> | undefined {
  if (!marks) {
    return undefined;
  }
  const out = new Map<string, DebugMark>();
  for (const [id, mark] of marks) {
    const item = repOf.get(id) ?? id;
    if (item === id || mark.state === 'current') {
      out.set(item, mark);
    }
  }
  return out;
}

function minimapClass(node: Node): string {
  const data = (node as OpFlowNode).data;
  if (node.type === 'scope') {
    return 'vf-minimap-group';
  }
  return data?.node ? categoryClass(data.node.category) : 'vf-minimap-frame';
}

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
    () => shownDebugMarks(props.debugMarks, shownVg.repOf),
    [props.debugMarks, shownVg]
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
          debug: debugMarks
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
      debugMarks
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
  useEffect(() => {
    onApi?.({
      fit,
      reveal: id => reveal(id, false),
      noMatch: name => {
        select(null, false, false);
        setUnmatched(name);
      },
      follow: view.follow
    });
    return () => onApi?.(null);
  }, [fit, reveal, select, onApi, view.follow]);

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
            nodesConnectable={false}
            nodesDraggable={false}
            elementsSelectable={true}
            disableKeyboardA11y={true}
            deleteKeyCode={null}
            onlyRenderVisibleElements={true}
            minZoom={0.02}
            maxZoom={4}
            preventScrolling={wheelToCanvas}
            onNodeClick={(_, n) => {
              if (n.type !== 'frame') {
                select(n.id);
              }
              focusPane();
            }}
            onNodeDoubleClick={(_, n) => {
              const path = groupPathOfItem(n.id);
              if (n.type === 'scope' && path !== null) {
                onExpand(path);
              }
            }}
            onPaneClick={() => select(null)}
            onNodeContextMenu={
              props.onNodeContextMenu
                ? (e, n) => {
                    if (n.type === 'op') {
                      // The host's menu replaces the browser's and JupyterLab's.
                      e.preventDefault();
                      e.stopPropagation();
                      props.onNodeContextMenu?.(n.id, e.clientX, e.clientY);
                    }
                  }
                : undefined
            }
            onMoveStart={e => {
              // Programmatic moves come without an event.
              if (e) {
                view.forgetCentred();
              }
            }}
            onMove={(e, vp) => {
              if (e) {
                props.onUserMove?.(vp);
              }
            }}
            onNodeMouseEnter={(_, n) =>
              setHovered(n.type === 'op' ? n.id : null)
            }
            onNodeMouseLeave={() => setHovered(null)}
          >
            <Background />
            <Controls showInteractive={false} />
            {showMap ? (
              <MiniMap
                nodeClassName={minimapClass}
                pannable={true}
                zoomable={true}
                ariaLabel="minimap"
                style={minimapInner(
                  minimapSize(
                    layout?.width ?? 0,
                    layout?.height ?? 0,
                    view.canvasW,
                    view.canvasH
                  )
                )}
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
