/**
 * The editor: palette, canvas, inspector and toolbar over one EditorSession.
 * A thin view (DESIGN.md Principle 8): the document, the history and the
 * request queue live in the plain-TypeScript session; the view keeps only
 * what is the view's (selection, a drag in progress, the wire being dragged,
 * the quick-add box) and turns gestures into commands.
 */
import React, {
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore
} from 'react';
import {
  Background,
  Controls,
  ReactFlowProvider,
  useReactFlow,
  useStore,
  type Connection,
  type Edge,
  type EdgeChange
} from '@xyflow/react';
import type {
  EditorInputSource,
  EditorParamSpec,
  EditorTrainProgress
} from '../../protocol';
import type { LayoutClient } from '../../layout/client';
import type { LayoutGraphInput } from '../../layout/messages';
import {
  copyFragment,
  fragmentFromText,
  fragmentToText,
  pasteCommand,
  pastePlace,
  type Fragment
} from '../model/clipboard';
import type { EditorCommand } from '../model/commands';
import type { DocIndex, EditorNode, Point } from '../model/document';
import {
  drawnGraph,
  frameId,
  groupBoxId,
  groupOf,
  GROUP_BOX,
  handlePort,
  movedPositions,
  nodeSize
} from '../model/flow';
import { defaultParams, type PaletteEntry } from '../model/palette';
import type { EditorSession } from '../model/session';
import {
  summarise,
  verdicts as toVerdicts,
  type PortVerdict
} from '../model/validity';
import type { EditorKernel } from '../kernel';
import { ContextMenu } from '../../debugger/ContextMenu';
import { editNodeTypes, type EditorFlowNode } from './EditNode';
import { GroupInspector, NodeInspector } from './EditorInspector';
import { FlowCanvas, ZoomClass } from './FlowCanvas';
import { flowEdges, flowNodes } from './flowElements';
import { Palette, PALETTE_MIME, QuickAdd } from './Palette';
import { clearPorts, markPorts, refusedAt } from './wireVerdicts';
import { Toolbar, type TrainSettings } from './Toolbar';

export interface EditorAppProps {
  session: EditorSession;
  kernel: EditorKernel;
  palette: PaletteEntry[];
  train: EditorTrainProgress | null;
  height: string;
  createLayoutClient: () => LayoutClient;
  /** Show a debugger widget beside the editor; absent where none can open. */
  openDebugger?: (modelId: string, label: string) => Promise<void>;
}

/** Below this zoom the nodes draw without port rows (their text would not be legible) and all are drawn. */
const FAR_ZOOM = 0.45;

/**
 * Below this zoom the nodes draw no text at all, only their boxes, category and
 * state colours: a head's 13 px text is under 4 px there, unreadable, and text
 * was the costliest part of re-rastering ~500 nodes at each pan or zoom step.
 */
const TINY_ZOOM = 0.3;

/** The last copy, for pasting within the page when the system clipboard is closed to us. */
let pageClipboard: string | null = null;

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return (
    !!el &&
    (el.tagName === 'INPUT' ||
      el.tagName === 'TEXTAREA' ||
      el.tagName === 'SELECT' ||
      el.isContentEditable)
  );
}

function addCommand(entry: PaletteEntry, position: Point): EditorCommand {
  if (entry.kind === 'layer') {
    return {
      cmd: 'add_layer',
      layer: entry.key,
      args: defaultParams(entry),
      position
    };
  }
  return {
    cmd: 'add_node',
    kind: entry.kind,
    op: entry.kind === 'op' ? entry.key : null,
    params: defaultParams(entry),
    position
  };
}

/** The node to train on: the one selected, else the first output, else the last node nobody reads. */
function lossNode(index: DocIndex, selected: string[]): string | null {
  if (selected.length === 1 && index.nodes.has(selected[0])) {
    return selected[0];
  }
  if (index.doc.outputs.length) {
    return index.doc.outputs[0];
  }
  const sinks = index.doc.nodes.filter(
    n => n.kind === 'op' && !(index.outgoing.get(n.id) ?? []).length
  );
  return sinks[sinks.length - 1]?.id ?? null;
}

function Canvas(props: EditorAppProps): JSX.Element {
  const { session, kernel } = props;
  const snap = useSyncExternalStore(
    useCallback(l => session.subscribe(l), [session]),
    () => session.snapshot()
  );
  const index = snap.index;
  const flow = useReactFlow();
  // Zoomed far out, nodes draw their heads only: the ports' text is too small to read.
  // Only nearer in (once a pan or zoom comes to rest there: FlowCanvas's useCulling) are
  // off-screen elements left out: far out most of the graph is on
  // screen, and working out what is visible on each pan and zoom step costs more than
  // the few off-screen nodes it would save. Far out the dot grid (dots a few pixels
  // apart, a grey haze) is left out too: it is redrawn whole on every pan and zoom step.
  const far = useStore(st => st.transform[2] < FAR_ZOOM);
  const wrapper = useRef<HTMLDivElement>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [wire, setWire] = useState<Map<string, PortVerdict> | null>(null);
  const [quick, setQuick] = useState<CanvasSpot | null>(null);
  const [feeds, setFeeds] = useState<Record<string, EditorInputSource>>({});
  const [notice, setNotice] = useState<string | null>(null);
  /** What the last action did ("ran 5 nodes"): shown as the status, not as an error. */
  const [done, setDone] = useState<string | null>(null);
  const [refused, setRefused] = useState<{
    left: number;
    top: number;
    reason: string;
  } | null>(null);
  const [running, setRunning] = useState(false);
  /** The canvas's right-click menu: where it shows (in the canvas) and the canvas point clicked. */
  const [menu, setMenu] = useState<CanvasSpot | null>(null);
  /** The pointer over the canvas (client px), null when it is elsewhere: Ctrl+V pastes there. */
  const pointer = useRef<{ x: number; y: number } | null>(null);
  const layoutClient = useRef<LayoutClient | null>(null);
  useEffect(() => () => layoutClient.current?.dispose(), []);

  const byKey = useMemo(() => {
    const m = new Map<string, PaletteEntry>();
    for (const e of props.palette) {
      m.set(e.key, e);
    }
    return m;
  }, [props.palette]);

  const drawn = useMemo(() => drawnGraph(index), [index]);
  // A graph that arrives whole (opened, loaded) is fitted into view; nodes added one by one
  // to an empty canvas leave the view where it is (at 100%).
  const shownCount = useRef(0);
  useEffect(() => {
    const count = index.doc.nodes.length;
    if (shownCount.current === 0 && count >= 2) {
      requestAnimationFrame(
        () => void flow.fitView({ maxZoom: 1, padding: 0.08 })
      );
    }
    shownCount.current = count;
  }, [flow, index]);
  const summary = useMemo(() => summarise(index), [index]);

  const toggle = useCallback(
    (group: string, collapsed: boolean) => {
      void session.applyQuietly([{ cmd: 'set_collapsed', group, collapsed }]);
    },
    [session]
  );

  // Canvas objects are rebuilt only for what changed (500 nodes drag smoothly).
  const nodeCache = useRef<ReadonlyMap<string, EditorFlowNode>>(new Map());
  const baseNodes = useMemo((): EditorFlowNode[] => {
    const built = flowNodes(
      drawn,
      kind => byKey.get(kind)?.category,
      toggle,
      nodeCache.current
    );
    nodeCache.current = built.cache;
    return built.nodes;
  }, [drawn, byKey, toggle]);

  const edgeCache = useRef<ReadonlyMap<string, Edge>>(new Map());
  const edges = useMemo((): Edge[] => {
    const built = flowEdges(drawn, selected, edgeCache.current);
    edgeCache.current = built.cache;
    return built.edges;
  }, [drawn, selected]);

  const apply = useCallback(
    (commands: EditorCommand[]) => {
      setNotice(null);
      setDone(null);
      return session.apply(commands);
    },
    [session]
  );

  const selectedNodes = useMemo(
    () => [...selected].filter(id => index.nodes.has(id)),
    [selected, index]
  );
  const selectedGroups = useMemo(
    () =>
      [...selected]
        .map(groupOf)
        .filter((g): g is string => g !== null && index.groups.has(g)),
    [selected, index]
  );
  const selectedEdges = useMemo(
    () => [...selected].filter(id => index.edges.has(id)),
    [selected, index]
  );

  const selectedRef = useRef(selected);
  selectedRef.current = selected;
  const onSelect = useCallback((changes: ReadonlyMap<string, boolean>) => {
    const sel = new Set(selectedRef.current);
    for (const [id, on] of changes) {
      if (on) {
        sel.add(id);
      } else {
        sel.delete(id);
      }
    }
    setSelected(sel);
  }, []);
  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      const sel = new Map<string, boolean>();
      for (const c of changes) {
        if (c.type === 'select') {
          sel.set(c.id, c.selected);
        }
      }
      if (sel.size) {
        onSelect(sel);
      }
    },
    [onSelect]
  );

  /** The end of a drag: one move step for every node that moved (a group box moves its members). */
  const onMoved = useCallback(
    (moved: ReadonlyMap<string, Point>) =>
      apply([{ cmd: 'move', positions: movedPositions(index, drawn, moved) }]),
    [apply, drawn, index]
  );

  const onConnectStart = useCallback(
    (
      _: unknown,
      p: {
        nodeId: string | null;
        handleId: string | null;
        handleType: string | null;
      }
    ) => {
      const port = handlePort(p.handleId);
      if (p.handleType !== 'source' || p.nodeId === null || port === null) {
        return;
      }
      kernel
        .probe(p.nodeId, port)
        .then(t => {
          const v = toVerdicts(t);
          setWire(v);
          if (wrapper.current) {
            markPorts(wrapper.current, v);
          }
        })
        .catch(err => setNotice(`probe failed: ${(err as Error).message}`));
    },
    [kernel]
  );
  const wireRef = useRef(wire);
  wireRef.current = wire;
  const isValidConnection = useCallback((c: Connection | Edge) => {
    const port = handlePort(c.targetHandle);
    const v =
      port === null
        ? undefined
        : wireRef.current?.get(`${c.target}\u0000${port}`);
    return v ? v.ok : port !== null;
  }, []);
  const onConnect = useCallback(
    (c: Connection) => {
      const sp = handlePort(c.sourceHandle);
      const tp = handlePort(c.targetHandle);
      if (sp === null || tp === null) {
        return;
      }
      void apply([
        {
          cmd: 'connect',
          source: c.source,
          source_port: sp,
          target: c.target,
          target_port: tp
        }
      ]);
    },
    [apply]
  );

  const add = useCallback(
    (entry: PaletteEntry, at?: Point) => {
      let position = at;
      if (!position) {
        const r = wrapper.current?.getBoundingClientRect();
        position = r
          ? flow.screenToFlowPosition({
              x: r.left + r.width / 2,
              y: r.top + r.height / 2
            })
          : { x: 0, y: 0 };
      }
      void apply([
        addCommand(entry, {
          x: Math.round(position.x),
          y: Math.round(position.y)
        })
      ]);
    },
    [apply, flow]
  );
  const pick = useCallback((e: PaletteEntry) => add(e), [add]);

  const remove = useCallback(() => {
    const commands: EditorCommand[] = selectedEdges
      .filter(e => {
        const edge = index.edges.get(e);
        return edge && !selected.has(edge.source) && !selected.has(edge.target);
      })
      .map(edge => ({ cmd: 'disconnect', edge }));
    if (selectedNodes.length || selectedGroups.length) {
      commands.push({
        cmd: 'delete',
        nodes: selectedNodes,
        groups: selectedGroups
      });
    }
    if (commands.length) {
      void apply(commands);
      setSelected(new Set());
    }
  }, [apply, index, selected, selectedEdges, selectedGroups, selectedNodes]);

  const copy = useCallback((): Fragment | null => {
    const f = copyFragment(index, selectedNodes, selectedGroups);
    if (f) {
      const text = fragmentToText(f);
      pageClipboard = text;
      void navigator.clipboard?.writeText(text).catch(() => undefined);
    }
    return f;
  }, [index, selectedGroups, selectedNodes]);

  /** Paste the last copy with its top-left at `at` (canvas coordinates), else offset from it. */
  const paste = useCallback(
    (at?: Point) => {
      const f = pageClipboard ? fragmentFromText(pageClipboard) : null;
      if (f) {
        void apply([pasteCommand(f, at)]);
      }
    },
    [apply]
  );

  const group = useCallback(() => {
    if (!selectedNodes.length && !selectedGroups.length) {
      return;
    }
    const taken = new Set(index.doc.groups.map(g => g.name));
    let k = index.doc.groups.length + 1;
    while (taken.has(`group${k}`)) {
      k += 1;
    }
    void apply([
      {
        cmd: 'group',
        nodes: selectedNodes,
        groups: selectedGroups,
        name: `group${k}`
      }
    ]);
  }, [apply, index, selectedGroups, selectedNodes]);

  const ungroup = useCallback(() => {
    if (selectedGroups.length) {
      void apply(selectedGroups.map(g => ({ cmd: 'ungroup', group: g })));
      setSelected(new Set());
    }
  }, [apply, selectedGroups]);

  const align = useCallback(
    (axis: 'x' | 'y') => {
      const ns = selectedNodes.map(id => index.nodes.get(id) as EditorNode);
      if (ns.length < 2) {
        return;
      }
      const to = Math.min(...ns.map(n => n.position[axis]));
      const positions: Record<string, Point> = {};
      for (const n of ns) {
        positions[n.id] = { ...n.position, [axis]: to };
      }
      void apply([{ cmd: 'move', positions }]);
    },
    [apply, index, selectedNodes]
  );

  const layout = useCallback(() => {
    const input: LayoutGraphInput = { nodes: [], edges: [], frames: [] };
    for (const f of drawn.frames) {
      input.frames?.push({
        id: frameId(f.group.id),
        parent: f.group.parent === null ? null : frameId(f.group.parent)
      });
    }
    const parentFrame = (g: string | null): string | null =>
      g === null || !drawn.frames.some(f => f.group.id === g)
        ? null
        : frameId(g);
    for (const n of drawn.nodes) {
      const size = nodeSize(n);
      input.nodes.push({
        id: n.id,
        width: size.width,
        height: size.height,
        inPorts: Math.max(n.inputs.length, 1),
        parent: parentFrame(n.group)
      });
    }
    for (const b of drawn.boxes) {
      input.nodes.push({
        id: groupBoxId(b.group.id),
        ...GROUP_BOX,
        inPorts: 1,
        parent: parentFrame(b.group.parent)
      });
    }
    for (const e of drawn.edges) {
      input.edges.push({
        id: e.id,
        source: e.source,
        target: e.target,
        targetPort: handlePort(e.targetHandle) ?? 0
      });
    }
    layoutClient.current = layoutClient.current ?? props.createLayoutClient();
    layoutClient.current
      .request(input, { direction: 'RIGHT', layerGap: 80 })
      .then(result => {
        const corners = new Map(result.nodes.map(p => [p.id, p] as const));
        return apply([
          { cmd: 'move', positions: movedPositions(index, drawn, corners) }
        ]);
      })
      .then(
        // after the moved nodes are drawn
        () => new Promise(r => setTimeout(r, 60))
      )
      .then(() => flow.fitView({ duration: 200, maxZoom: 1 }))
      .catch(err => {
        if ((err as Error).name !== 'LayoutCancelledError') {
          setNotice(`layout failed: ${(err as Error).message}`);
        }
      });
  }, [apply, drawn, flow, index, props]);

  const inputsByName = useCallback((): Record<string, EditorInputSource> => {
    const out: Record<string, EditorInputSource> = {};
    for (const n of index.doc.nodes) {
      if (n.kind === 'placeholder') {
        out[n.name] = feeds[n.id] ?? { random: true };
      }
    }
    return out;
  }, [feeds, index]);

  const run = useCallback(
    (until: string | null) => {
      setRunning(true);
      setNotice(null);
      setDone(null);
      kernel
        .run(inputsByName(), until)
        .then(r => setDone(`ran ${r.executed.length} nodes`))
        .catch(err => setNotice(`run failed: ${(err as Error).message}`))
        .finally(() => setRunning(false));
    },
    [inputsByName, kernel]
  );

  const { openDebugger } = props;
  const debug = useCallback(() => {
    if (!openDebugger) {
      return;
    }
    setRunning(true);
    setNotice(null);
    setDone(null);
    kernel
      .debug(inputsByName())
      .then(r => openDebugger(r.model_id, `Debug: ${index.doc.name}`))
      .catch(err => setNotice(`debug failed: ${(err as Error).message}`))
      .finally(() => setRunning(false));
  }, [index, inputsByName, kernel, openDebugger]);

  const train = useCallback(
    (s: TrainSettings) => {
      const loss = lossNode(index, selectedNodes);
      if (!loss) {
        setNotice('train: select the loss node first');
        return;
      }
      setRunning(true);
      setNotice(null);
      setDone(null);
      kernel
        .train({
          loss,
          optimizer: s.optimizer,
          lr: s.lr,
          steps: s.steps,
          inputs: inputsByName()
        })
        .catch(err => setNotice(`training failed: ${(err as Error).message}`))
        .finally(() => setRunning(false));
    },
    [index, inputsByName, kernel, selectedNodes]
  );

  const onKeyDown = useCallback(
    (e: React.KeyboardEvent) => {
      if (isTyping(e.target)) {
        return; // keys typed into a field are the field's (its own undo)
      }
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      let handled = true;
      if (mod && key === 'z' && !e.shiftKey) {
        void session.undo();
      } else if (mod && ((key === 'z' && e.shiftKey) || key === 'y')) {
        void session.redo();
      } else if (e.key === 'Delete' || e.key === 'Backspace') {
        remove();
      } else if (mod && key === 'c') {
        copy();
      } else if (mod && key === 'x') {
        if (copy()) {
          remove();
        }
      } else if (mod && key === 'v') {
        const over = pointer.current;
        paste(pastePlace(null, over ? flow.screenToFlowPosition(over) : null));
      } else if (mod && key === 'g') {
        group();
      } else if (mod && key === 'a') {
        setSelected(new Set(baseNodes.map(n => n.id)));
      } else {
        handled = false;
      }
      if (handled) {
        e.preventDefault();
        e.stopPropagation();
      }
    },
    [baseNodes, copy, flow, group, paste, remove, session]
  );

  const onContextMenu = useCallback(
    (e: React.MouseEvent) => {
      if (isTyping(e.target) || !wrapper.current) {
        return;
      }
      e.preventDefault();
      setMenu(canvasSpot(e, wrapper.current, flow.screenToFlowPosition));
    },
    [flow]
  );
  const closeMenu = useCallback(() => setMenu(null), []);

  const onDoubleClick = useCallback(
    (e: React.MouseEvent) => {
      const target = e.target as HTMLElement;
      if (!target.classList.contains('react-flow__pane') || !wrapper.current) {
        return;
      }
      setQuick(canvasSpot(e, wrapper.current, flow.screenToFlowPosition));
    },
    [flow]
  );

  const onDrop = useCallback(
    (e: React.DragEvent) => {
      const key = e.dataTransfer.getData(PALETTE_MIME);
      const entry = byKey.get(key);
      if (entry) {
        e.preventDefault();
        add(entry, flow.screenToFlowPosition({ x: e.clientX, y: e.clientY }));
      }
    },
    [add, byKey, flow]
  );

  const one = selected.size === 1 ? [...selected][0] : null;
  const inspected = one !== null ? index.nodes.get(one) : undefined;
  const inspectedGroup = one !== null ? groupOf(one) : null;
  const specsOf = (n: EditorNode): EditorParamSpec[] =>
    byKey.get(n.op ?? n.kind)?.params ?? [];

  return (
    <div
      className="vf-editor-body"
      data-version={index.doc.version}
      data-busy={snap.busy ? 'true' : 'false'}
      data-wire={wire ? 'dragging' : undefined}
    >
      <Toolbar
        snap={notice ? { ...snap, error: notice } : snap}
        summary={done ?? summary.text}
        hasSelection={selected.size > 0}
        hasGroupSelected={selectedGroups.length > 0}
        train={props.train}
        running={running}
        actions={{
          undo: () => void session.undo(),
          redo: () => void session.redo(),
          remove,
          group,
          ungroup,
          layout,
          alignLeft: () => align('x'),
          alignTop: () => align('y'),
          run: () => run(null),
          train,
          debug: openDebugger ? debug : null
        }}
      />
      <div className="vf-editor-main">
        <Palette entries={props.palette} onPick={pick} />
        <div
          className={`vf-editor-canvas${far ? ' vf-edit-far' : ''}`}
          ref={wrapper}
          tabIndex={0}
          onKeyDown={onKeyDown}
          onDoubleClick={onDoubleClick}
          onContextMenu={onContextMenu}
          // the canvas's own menu (Paste here), not JupyterLab's notebook menu
          data-jp-suppress-context-menu=""
          onPointerLeave={() => (pointer.current = null)}
          onPointerMove={e => {
            pointer.current = { x: e.clientX, y: e.clientY };
            if (!wire || !wrapper.current) {
              return;
            }
            const hit = refusedAt(e.target, wire);
            if (!hit) {
              setRefused(null);
              return;
            }
            const r = wrapper.current.getBoundingClientRect();
            const p = hit.port.getBoundingClientRect();
            setRefused({
              left: p.left - r.left,
              top: p.bottom - r.top + 4,
              reason: hit.reason
            });
          }}
          onDragOver={e => {
            if (e.dataTransfer.types.includes(PALETTE_MIME)) {
              e.preventDefault();
              e.dataTransfer.dropEffect = 'copy';
            }
          }}
          onDrop={onDrop}
        >
          <FlowCanvas
            base={baseNodes}
            selected={selected}
            onSelectNodes={onSelect}
            onMoved={onMoved}
            edges={edges}
            nodeTypes={editNodeTypes}
            onEdgesChange={onEdgesChange}
            onConnectStart={onConnectStart}
            onConnectEnd={() => {
              setWire(null);
              setRefused(null);
              if (wrapper.current) {
                clearPorts(wrapper.current);
              }
            }}
            onConnect={onConnect}
            isValidConnection={isValidConnection}
            onPaneClick={() => setSelected(new Set())}
            deleteKeyCode={null}
            selectionKeyCode="Shift"
            multiSelectionKeyCode={['Meta', 'Control']}
            zoomOnDoubleClick={false}
            cullFrom={FAR_ZOOM}
            minZoom={0.05}
            maxZoom={3}
            defaultViewport={{ x: 0, y: 0, zoom: 1 }}
            disableKeyboardA11y={true}
          >
            {far ? null : <Background />}
            <ZoomClass below={TINY_ZOOM} className="vf-edit-tiny" />
            <Controls showInteractive={false} />
          </FlowCanvas>
          {refused ? (
            <div
              className="vf-edit-wire-reason"
              role="tooltip"
              style={{ left: refused.left, top: refused.top }}
            >
              {refused.reason}
            </div>
          ) : null}
          {menu ? (
            <ContextMenu
              x={menu.left}
              y={menu.top}
              title="canvas"
              close={closeMenu}
              items={[
                {
                  label: 'Paste',
                  disabled: pageClipboard === null,
                  act: () => paste(pastePlace(menu.at, null))
                },
                {
                  label: 'Copy',
                  disabled: selected.size === 0,
                  act: () => void copy()
                },
                {
                  label: 'Delete',
                  disabled: selected.size === 0,
                  act: remove
                }
              ]}
            />
          ) : null}
          {index.doc.nodes.length === 0 && !quick ? (
            <div className="vf-editor-hint">
              Drag an op from the palette, or double-click the canvas to search.
            </div>
          ) : null}
          {quick ? (
            <QuickAdd
              entries={props.palette}
              left={quick.left}
              top={quick.top}
              onPick={e => {
                add(e, quick.at);
                setQuick(null);
              }}
              onClose={() => setQuick(null)}
            />
          ) : null}
        </div>
        {inspected ? (
          <NodeInspector
            node={inspected}
            specs={specsOf(inspected)}
            feed={feeds[inspected.id] ?? null}
            onFeed={s => setFeeds({ ...feeds, [inspected.id]: s })}
            apply={c => void apply(c)}
            sealBurst={() => session.sealBurst()}
            onRunHere={() => run(inspected.id)}
          />
        ) : inspectedGroup !== null && index.groups.has(inspectedGroup) ? (
          <GroupInspector
            group={index.groups.get(inspectedGroup)!}
            members={index.descendantNodes(inspectedGroup).length}
            apply={c => void apply(c)}
            sealBurst={() => session.sealBurst()}
          />
        ) : null}
      </div>
    </div>
  );
}

/** A spot clicked on the canvas: where a popup shows (px in the canvas) and the flow point. */
interface CanvasSpot {
  left: number;
  top: number;
  at: Point;
}

/** The spot of a pointer event on the canvas held by `box`. */
function canvasSpot(
  e: React.MouseEvent,
  box: HTMLElement,
  toFlow: (p: { x: number; y: number }) => Point
): CanvasSpot {
  const r = box.getBoundingClientRect();
  return {
    left: e.clientX - r.left,
    top: e.clientY - r.top,
    at: toFlow({ x: e.clientX, y: e.clientY })
  };
}

export function EditorApp(props: EditorAppProps): JSX.Element {
  const height =
    props.height && props.height !== 'auto' ? props.height : '640px';
  return (
    <div className="vf-editor-root" style={{ height }}>
      <ReactFlowProvider>
        <Canvas {...props} />
      </ReactFlowProvider>
    </div>
  );
}
