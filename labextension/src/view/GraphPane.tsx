import React, {
  useCallback,
  useEffect,
  useMemo,
  useReducer,
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
  useStore,
  type Node
} from '@xyflow/react';
import type { GraphPayload } from '../protocol';
import { buildGraphModel } from '../model/graphModel';
import { categoryClass } from '../model/format';
import { initialViewerState, viewerReducer } from '../model/viewerState';
import type { LayoutState } from '../model/viewerState';
import {
  ancestorGroups,
  buildScopeTree,
  type ScopeTree
} from '../model/scopeTree';
import {
  buildVisibleGraph,
  frameId,
  groupPathOfItem,
  isGroupItemId
} from '../model/visibleGraph';
import { describeNode, searchNodes } from '../model/search';
import { navigate, type ArrowKey, type Box } from '../model/navigation';
import {
  availableMetrics,
  colourScale,
  overlayColour,
  overlayValues,
  scaleFraction
} from '../model/overlay';
import { initialExpanded, type ViewerSettings } from '../model/settings';
import { minimapShown, minimapSize } from '../model/minimap';
import { groupsToPrefetch } from '../model/prefetch';
import { LayoutCancelledError, type LayoutClient } from '../layout/client';
import { layoutInputFromVisible } from '../layout/fromModel';
import type { LayoutDirection } from '../layout/messages';
import { flowElements, newFlowReuse } from './flowElements';
import { nodeTypes, type OpFlowNode } from './OpNode';
import { Inspector, type InspectBackend } from './Inspector';
import { Legend } from './Legend';
import { download, exportSvgText, svgToPng } from './exportView';

export interface PaneApi {
  fit(): void;
  /** Select a node (by model id), expanding its groups, and centre it. */
  reveal(nodeId: string): void;
}

export interface PaneTiming {
  /** Milliseconds from the request to the drawn layout. */
  drawMs: number;
  /** Milliseconds from mounting the pane to the first drawn layout. */
  firstDrawMs: number | null;
}

export interface GraphPaneProps {
  payload: GraphPayload | null;
  direction: LayoutDirection;
  createLayoutClient: () => LayoutClient;
  backend: InspectBackend | null;
  settings: ViewerSettings;
  /** Told the drawn state: 'done' only once the laid-out nodes are on screen. */
  onLayoutState?: (
    state: LayoutState,
    error: string | null,
    timing: PaneTiming | null
  ) => void;
  onApi?: (api: PaneApi | null) => void;
  /** Told the model id of each node the user selects. */
  onSelectNode?: (nodeId: string) => void;
  /** The pane's heading in place of the graph's title (a side of a comparison). */
  label?: string;
}

// A small graph is not blown up past a readable size when fitted.
const FIT_OPTIONS = { padding: 0.15, duration: 0, maxZoom: 1.25 };

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

/** Groups laid out ahead of need after each draw (one per kind of group). */
const PREFETCH_GROUPS = 4;

/** Below this zoom a fitted graph is unreadable: show its start at READABLE_ZOOM instead. */
const MIN_FIT_ZOOM = 0.35;
const READABLE_ZOOM = 0.6;
/** Width of one character of an edge label (10px monospace) and the label's margin. */
const LABEL_CHAR_PX = 6.2;
const LABEL_MARGIN_PX = 30;
const MAX_LAYER_GAP = 220;

/**
 * Space between layers so that the edge labels (drawn mid-edge, horizontally) fit
 * between the nodes when the graph flows to the right. Pure function of the labels.
 */
export function layerGapFor(
  labels: Iterable<string>,
  direction: LayoutDirection
): number {
  if (direction !== 'RIGHT') {
    return 60;
  }
  let longest = 0;
  for (const l of labels) {
    longest = Math.max(longest, l.length);
  }
  return Math.min(
    MAX_LAYER_GAP,
    Math.max(60, Math.ceil(longest * LABEL_CHAR_PX + LABEL_MARGIN_PX))
  );
}

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return (
    !!el &&
    (el.tagName === 'INPUT' ||
      el.tagName === 'SELECT' ||
      el.tagName === 'TEXTAREA')
  );
}

function PaneCanvas(props: GraphPaneProps): JSX.Element {
  const {
    payload,
    direction,
    createLayoutClient,
    backend,
    settings,
    onLayoutState,
    onApi,
    onSelectNode
  } = props;
  const model = useMemo(() => buildGraphModel(payload), [payload]);
  const tree = useMemo(() => buildScopeTree(model), [model]);
  const initial = useMemo(() => initialExpanded(tree, settings), [tree]);
  const [expState, setExpState] = useState<{
    tree: ScopeTree;
    expanded: ReadonlySet<string>;
  } | null>(null);
  const expanded =
    expState && expState.tree === tree ? expState.expanded : initial;
  const updateExpanded = useCallback(
    (f: (s: ReadonlySet<string>) => ReadonlySet<string>) =>
      setExpState(prev => ({
        tree,
        expanded: f(prev && prev.tree === tree ? prev.expanded : initial)
      })),
    [tree, initial]
  );
  const vg = useMemo(
    () => buildVisibleGraph(model, tree, expanded),
    [model, tree, expanded]
  );

  const client = useMemo(() => createLayoutClient(), [createLayoutClient]);
  useEffect(() => () => client.dispose(), [client]);
  const [state, dispatch] = useReducer(viewerReducer, initialViewerState);
  /**
   * The visible graph that state.layout was computed for. The canvas keeps drawing
   * it (and its decorations) until the next layout arrives, so that a change of the
   * visible graph does not make React Flow redraw a half-updated graph first.
   */
  const [drawnVg, setDrawnVg] = useState<typeof vg | null>(null);
  const shownVg = drawnVg ?? vg;
  const seq = useRef(0);
  const requestedAt = useRef(0);
  const mountedAt = useRef(performance.now());
  const firstDrawn = useRef<number | null>(null);
  const fittedFor = useRef<unknown>(null);
  const focusAfterLayout = useRef<string | null>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  const flow = useReactFlow();

  const [selected, setSelected] = useState<string | null>(null);
  const [inspectorOpen, setInspectorOpen] = useState(false);
  const [inspectorWidth, setInspectorWidth] = useState<number | null>(null);
  const [inspectorFolded, setInspectorFolded] = useState(false);
  /** The user's minimap toggle; null: shown when the canvas has room for it. */
  const [mapChoice, setMapChoice] = useState<boolean | null>(null);
  const canvasW = useStore(s => s.width);
  const canvasH = useStore(s => s.height);
  const showMap = minimapShown(mapChoice, canvasW, canvasH);
  const [hovered, setHovered] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const [showHits, setShowHits] = useState(false);
  const metrics = useMemo(
    () => availableMetrics(payload?.metrics, model),
    [payload, model]
  );
  const [metric, setMetric] = useState<string>(settings.overlay);

  // Ask for a layout whenever the visible graph or the direction changes.
  useEffect(() => {
    const mySeq = ++seq.current;
    requestedAt.current = performance.now();
    dispatch({ type: 'layout-started', seq: mySeq });
    const layerGap = layerGapFor(
      vg.edges.map(e => e.label),
      direction
    );
    client.request(layoutInputFromVisible(vg), { direction, layerGap }).then(
      layout => {
        if (mySeq === seq.current) {
          setDrawnVg(vg);
        }
        dispatch({ type: 'layout-finished', seq: mySeq, layout });
      },
      (err: unknown) => {
        if (err instanceof LayoutCancelledError) {
          return;
        }
        const message = err instanceof Error ? err.message : String(err);
        console.error('vizflow: graph layout failed', err);
        dispatch({ type: 'layout-failed', seq: mySeq, message });
      }
    );
  }, [vg, direction, client]);

  const linked = useMemo(() => {
    const out = new Set<string>();
    if (!hovered) {
      return out;
    }
    const ids = new Set<string>();
    for (const n of model.nodes) {
      if (n.id === hovered && n.forward_of) {
        ids.add(n.forward_of);
      }
      if (n.forward_of === hovered) {
        ids.add(n.id);
      }
    }
    for (const id of ids) {
      const rep = shownVg.repOf.get(id);
      if (rep) {
        out.add(rep);
      }
    }
    return out;
  }, [hovered, model, shownVg]);

  const metricInfo = metrics.find(m => m.name === metric) ?? null;
  const overlay = useMemo(() => {
    const colours = new Map<string, string>();
    if (!metricInfo) {
      return { colours, scale: null };
    }
    const values = overlayValues(model, shownVg, metricInfo.name);
    const scale = colourScale(metricInfo.name, values.values());
    if (scale) {
      for (const [id, v] of values) {
        colours.set(id, overlayColour(scaleFraction(v, scale)));
      }
    }
    return { colours, scale };
  }, [metricInfo, model, shownVg]);

  const onExpand = useCallback(
    (path: string) => updateExpanded(s => new Set([...s, path])),
    [updateExpanded]
  );
  const onCollapse = useCallback(
    (path: string) =>
      updateExpanded(s => {
        const next = new Set(s);
        next.delete(path);
        return next;
      }),
    [updateExpanded]
  );

  const flowReuse = useRef(newFlowReuse());
  const { nodes, edges } = useMemo(
    () =>
      flowElements(
        shownVg,
        state.layout,
        direction,
        model.outputs,
        {
          selected,
          linked,
          overlay: overlay.colours,
          onExpand,
          onCollapse
        },
        flowReuse.current
      ),
    [
      shownVg,
      state.layout,
      direction,
      model,
      selected,
      linked,
      overlay,
      onExpand,
      onCollapse
    ]
  );

  const boxes = useMemo(() => {
    const m = new Map<string, Box>();
    for (const p of state.layout?.nodes ?? []) {
      if (shownVg.itemById.has(p.id)) {
        m.set(p.id, p);
      }
    }
    return m;
  }, [state.layout, shownVg]);

  const centreOn = useCallback(
    (id: string): boolean => {
      const b = boxes.get(id) ?? state.layout?.frames?.find(f => f.id === id);
      if (!b) {
        return false;
      }
      void flow.setCenter(b.x + b.width / 2, b.y + b.height / 2, {
        zoom: Math.max(flow.getZoom(), 0.8),
        duration: 0
      });
      return true;
    },
    [boxes, state.layout, flow]
  );

  const select = useCallback(
    (id: string | null, open = true) => {
      setSelected(id);
      setInspectorOpen(open && id !== null);
      if (id && !isGroupItemId(id)) {
        onSelectNode?.(id);
      }
    },
    [onSelectNode]
  );

  /** Centre a drawn item when the canvas (narrowed by the inspector) does not show it whole. */
  const keepInView = useCallback(
    (id: string): void => {
      const b = boxes.get(id);
      if (!b || canvasW <= 0 || canvasH <= 0) {
        return;
      }
      const { x, y, zoom } = flow.getViewport();
      const left = b.x * zoom + x;
      const top = b.y * zoom + y;
      const inside =
        left >= 0 &&
        top >= 0 &&
        left + b.width * zoom <= canvasW &&
        top + b.height * zoom <= canvasH;
      if (!inside) {
        void flow.setCenter(b.x + b.width / 2, b.y + b.height / 2, {
          zoom,
          duration: 0
        });
      }
    },
    [boxes, flow, canvasW, canvasH]
  );
  useEffect(() => {
    if (selected && inspectorOpen) {
      keepInView(selected);
    }
    // Only when the canvas changes size (the inspector opened, resized or folded).
  }, [canvasW, canvasH]);

  /** Show a model node: expand its groups, select it, centre it once drawn. */
  const reveal = useCallback(
    (nodeId: string, notify = true) => {
      if (!model.nodeById.has(nodeId)) {
        return;
      }
      const missing = ancestorGroups(tree, nodeId).filter(
        p => !expanded.has(p)
      );
      setSelected(nodeId);
      setInspectorOpen(true);
      if (notify) {
        onSelectNode?.(nodeId);
      }
      if (missing.length > 0) {
        focusAfterLayout.current = nodeId;
        updateExpanded(s => new Set([...s, ...missing]));
      } else if (!centreOn(nodeId)) {
        focusAfterLayout.current = nodeId;
      }
    },
    [model, tree, expanded, updateExpanded, centreOn, onSelectNode]
  );

  // Report the drawn state; fit a new graph into view, centre a pending focus.
  useEffect(() => {
    const el = rootRef.current;
    if (state.layoutState !== 'done') {
      el?.setAttribute('data-layout-state', state.layoutState);
      onLayoutState?.(state.layoutState, state.error, null);
      return;
    }
    // 'done' (and the timing figures with it) once the new layout is on screen.
    let cancelled = false;
    const finish = (): void => {
      if (cancelled) {
        return;
      }
      const now = performance.now();
      if (firstDrawn.current === null) {
        firstDrawn.current = now - mountedAt.current;
      }
      const timing = {
        drawMs: now - requestedAt.current,
        firstDrawMs: firstDrawn.current
      };
      if (el) {
        el.setAttribute('data-layout-state', 'done');
        el.setAttribute('data-draw-ms', timing.drawMs.toFixed(1));
        el.setAttribute('data-first-draw-ms', timing.firstDrawMs.toFixed(1));
        el.setAttribute(
          'data-draw-count',
          String(Number(el.getAttribute('data-draw-count') ?? 0) + 1)
        );
        el.setAttribute('data-visible-items', String(shownVg.items.length));
        // The layout's own share of drawMs (in the worker), for the benchmark.
        el.setAttribute('data-layout-ms', String(client.lastElapsedMs ?? ''));
      }
      onLayoutState?.('done', null, timing);
    };
    requestAnimationFrame(() => {
      if (cancelled) {
        return;
      }
      const focus = focusAfterLayout.current;
      let done: Promise<unknown> = Promise.resolve();
      let moved = false;
      if (fittedFor.current !== model && nodes.length > 0) {
        fittedFor.current = model;
        moved = true;
        done = Promise.resolve(flow.fitView(FIT_OPTIONS)).then(() =>
          readableStart()
        );
      }
      void done.then(() => {
        if (focus && centreOn(shownVg.repOf.get(focus) ?? focus)) {
          focusAfterLayout.current = null;
          moved = true;
        }
        // A task queued from an animation frame runs once that frame is rendered:
        // the new nodes are on screen. A moved viewport is drawn one frame later.
        if (moved) {
          requestAnimationFrame(finish);
        } else {
          setTimeout(finish, 0);
        }
      });
    });
    return () => {
      cancelled = true;
    };
  }, [state.layoutState, state.layout, state.error]);

  // Once drawn, lay out (in the worker, when the page is idle) the views with one more
  // group open, for the groups the user is likely to open next: opening one is then
  // answered from the worker's cache.
  useEffect(() => {
    if (state.layoutState !== 'done' || !state.layout) {
      return;
    }
    let cancelled = false;
    const { x, y, zoom } = flow.getViewport();
    const screen = {
      x: -x / zoom,
      y: -y / zoom,
      width: canvasW / zoom,
      height: canvasH / zoom
    };
    const paths = groupsToPrefetch(
      shownVg.items,
      boxes,
      screen,
      PREFETCH_GROUPS
    );
    const later = (f: () => void): void => {
      if (typeof window.requestIdleCallback === 'function') {
        window.requestIdleCallback(f, { timeout: 2000 });
      } else {
        window.setTimeout(f, 100);
      }
    };
    let k = 0;
    const step = (): void => {
      if (cancelled || k >= paths.length) {
        return;
      }
      const next = buildVisibleGraph(
        model,
        tree,
        new Set([...expanded, paths[k++]])
      );
      client.prefetch(layoutInputFromVisible(next), {
        direction,
        layerGap: layerGapFor(
          next.edges.map(e => e.label),
          direction
        )
      });
      later(step);
    };
    later(step);
    return () => {
      cancelled = true;
    };
  }, [state.layoutState, state.layout]);

  /**
   * A long graph fitted whole is a row of dots: show its start (the inputs) at a
   * readable zoom instead, centred across the flow. Fit shows the whole again.
   */
  const readableStart = (): void => {
    const layout = state.layout;
    const canvas = rootRef.current?.querySelector('.vf-graph-canvas');
    if (!layout || !canvas || flow.getZoom() >= MIN_FIT_ZOOM) {
      return;
    }
    const z = READABLE_ZOOM;
    const pad = 20;
    const w = canvas.clientWidth;
    const h = canvas.clientHeight;
    void flow.setViewport(
      direction === 'RIGHT'
        ? { x: pad, y: h / 2 - (layout.height / 2) * z, zoom: z }
        : { x: w / 2 - (layout.width / 2) * z, y: pad, zoom: z },
      { duration: 0 }
    );
  };

  const fit = useCallback(() => void flow.fitView(FIT_OPTIONS), [flow]);
  useEffect(() => {
    onApi?.({ fit, reveal: id => reveal(id, false) });
    return () => onApi?.(null);
  }, [fit, reveal, onApi]);

  const hits = useMemo(() => searchNodes(model, query, 20), [model, query]);

  const onKeyDown = (e: React.KeyboardEvent): void => {
    if (isTyping(e.target)) {
      return;
    }
    if (e.key.startsWith('Arrow')) {
      const next = navigate(
        { boxes, edges: shownVg.edges },
        selected && shownVg.itemById.has(selected) ? selected : null,
        e.key as ArrowKey,
        direction
      );
      if (next) {
        select(next, inspectorOpen);
        centreOn(next);
      }
      e.preventDefault();
      e.stopPropagation();
    } else if (e.key === 'Enter' && selected) {
      const path = groupPathOfItem(selected);
      if (path !== null && isGroupItemId(selected)) {
        focusAfterLayout.current = frameId(path);
        onExpand(path);
      } else {
        setInspectorOpen(true);
      }
      e.preventDefault();
      e.stopPropagation();
    } else if (e.key === 'Escape') {
      select(null);
      setQuery('');
      setShowHits(false);
      e.preventDefault();
      e.stopPropagation();
    }
  };

  const exportAs = async (kind: 'svg' | 'png'): Promise<void> => {
    const el = rootRef.current;
    if (!el || !state.layout) {
      return;
    }
    const svg = exportSvgText(
      el,
      shownVg,
      state.layout,
      direction,
      overlay.colours
    );
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

  return (
    <div
      className="vf-pane"
      ref={rootRef}
      tabIndex={0}
      onKeyDown={onKeyDown}
      data-layout-state="idle"
      aria-label={`graph ${model.title}`}
    >
      <div className="vf-graph-header">
        <span className="vf-graph-heading">
          <span className="vf-graph-title" title={heading}>
            {heading}
          </span>
          <span className="vf-graph-counts" title={counts}>
            {counts}
          </span>
        </span>
        {model.issues.length > 0 ? (
          <span
            className="vf-graph-issues"
            title={model.issues.map(i => i.message).join('\n')}
          >
            {`${model.issues.length} problem(s) in the graph`}
          </span>
        ) : null}
        <span className="vf-toolbar">
          <span className="vf-search">
            <input
              className="vf-search-input"
              type="search"
              placeholder="Search name, op, scope"
              aria-label="search nodes"
              value={query}
              onChange={e => {
                setQuery(e.target.value);
                setShowHits(true);
              }}
              onFocus={() => setShowHits(true)}
              onKeyDown={e => {
                if (e.key === 'Enter' && hits.length > 0) {
                  reveal(hits[0].id);
                  setShowHits(false);
                  rootRef.current?.focus();
                } else if (e.key === 'Escape') {
                  setQuery('');
                  setShowHits(false);
                  rootRef.current?.focus();
                }
                e.stopPropagation();
              }}
            />
            {showHits && query.trim() ? (
              <ul className="vf-search-hits" role="listbox">
                {hits.length === 0 ? (
                  <li className="vf-search-none">no match</li>
                ) : null}
                {hits.map(h => (
                  <li
                    key={h.id}
                    role="option"
                    aria-selected={false}
                    className="vf-search-hit"
                    data-node-id={h.id}
                    onMouseDown={e => {
                      e.preventDefault();
                      reveal(h.id);
                      setShowHits(false);
                    }}
                  >
                    {describeNode(h.node)}
                  </li>
                ))}
              </ul>
            ) : null}
          </span>
          {metrics.length > 0 ? (
            <select
              className="vf-overlay-select"
              aria-label="colour nodes by"
              value={metric}
              onChange={e => setMetric(e.target.value)}
            >
              <option value="">no overlay</option>
              {metrics.map(m => (
                <option key={m.name} value={m.name}>
                  {m.unit ? `${m.label} (${m.unit})` : m.label}
                </option>
              ))}
            </select>
          ) : null}
          <button
            className="vf-button vf-collapse-all"
            title="Collapse all groups"
            onClick={() => updateExpanded(() => new Set())}
          >
            Collapse
          </button>
          <button
            className="vf-button vf-map-toggle"
            title={showMap ? 'Hide the minimap' : 'Show the minimap'}
            aria-pressed={showMap}
            onClick={() => setMapChoice(!showMap)}
          >
            Map
          </button>
          <button
            className="vf-button vf-fit"
            title="Fit to view"
            onClick={fit}
          >
            Fit
          </button>
          <button
            className="vf-button vf-export-svg"
            title="Download as SVG"
            onClick={() => void exportAs('svg')}
          >
            SVG
          </button>
          <button
            className="vf-button vf-export-png"
            title="Download as PNG"
            onClick={() => void exportAs('png')}
          >
            PNG
          </button>
        </span>
      </div>
      {metricInfo ? <Legend info={metricInfo} scale={overlay.scale} /> : null}
      {state.layoutState === 'error' ? (
        <div className="vf-graph-error" role="alert">
          {`Layout failed: ${state.error ?? 'unknown error'}`}
        </div>
      ) : null}
      <div className="vf-pane-main">
        <div className="vf-graph-canvas">
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
            fitView={true}
            fitViewOptions={FIT_OPTIONS}
            minZoom={0.02}
            maxZoom={4}
            onNodeClick={(_, n) => {
              if (n.type !== 'frame') {
                select(n.id);
              }
              rootRef.current?.focus();
            }}
            onNodeDoubleClick={(_, n) => {
              const path = groupPathOfItem(n.id);
              if (n.type === 'scope' && path !== null) {
                onExpand(path);
              }
            }}
            onPaneClick={() => select(null)}
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
                    state.layout?.width ?? 0,
                    state.layout?.height ?? 0,
                    canvasW,
                    canvasH
                  )
                )}
              />
            ) : null}
          </ReactFlow>
        </div>
        {inspectorOpen && (selNode || selGroup) ? (
          <Inspector
            model={model}
            opDocs={payload?.op_docs}
            node={selNode}
            group={selGroup}
            backend={backend}
            onExpand={path => {
              focusAfterLayout.current = frameId(path);
              onExpand(path);
            }}
            onClose={() => setInspectorOpen(false)}
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
