/**
 * The debugger: toolbar and state cue, the viewer's canvas (GraphPane) with the
 * session's marks, the inspector and breakpoints beside it, the timeline and,
 * in training-loop mode, the loss chart. Keys act while it has focus, never
 * while a field is being typed in; the palette's commands act on the last
 * focused debugger.
 */
import React, {
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState
} from 'react';
import type { DebugSessionState, GraphPayload } from '../protocol';
import { buildGraphModel } from '../model/graphModel';
import type { LayoutState } from '../model/viewerState';
import type { ViewerSettings } from '../model/settings';
import type { LayoutClient } from '../layout/client';
import type { LayoutDirection } from '../layout/messages';
import { GraphPane, type PaneApi } from '../view/GraphPane';
import { BreakpointsPanel } from './BreakpointsPanel';
import { ContextMenu } from './ContextMenu';
import { debuggerFocus, type DebuggerControls } from './focus';
import { LossChart } from './LossChart';
import { NodePanel } from './NodePanel';
import {
  commandEnabled,
  edgeNotesById,
  gradEdgeNotes,
  inspectedNode,
  isTyping,
  keyCommand,
  nodeMarks,
  type BreakpointChange,
  type Command,
  type PausedAt,
  type Picked
} from './session';
import { Timeline } from './Timeline';
import { Toolbar } from './Toolbar';
import type { DebuggerBackend } from './widget';

export interface DebuggerAppProps {
  backend: DebuggerBackend;
  payload: GraphPayload | null;
  session: DebugSessionState | null;
  /** Where the session last paused (lastPaused): its node is inspected unless one was picked there. */
  pausedAt: PausedAt;
  height: string;
  direction: LayoutDirection;
  settings: ViewerSettings;
  createLayoutClient: () => LayoutClient;
  onLayoutState?: (state: LayoutState) => void;
}

/** A string that changes whenever the values the session shows may have changed. */
function momentOf(s: DebugSessionState): string {
  const cur = s.current;
  return [
    s.state,
    s.history.steps,
    cur?.iteration ?? -1,
    cur?.index ?? -1,
    s.stale.length
  ].join(':');
}

export function DebuggerApp(props: DebuggerAppProps): JSX.Element {
  const { backend, payload, session, pausedAt } = props;
  const model = useMemo(() => buildGraphModel(payload), [payload]);
  const idOf = useMemo(() => {
    const m = new Map<string, string>();
    for (const n of model.nodes) {
      if (n.name) {
        m.set(n.name, n.id);
      }
    }
    return m;
  }, [model]);
  const marks = useMemo(
    () => (session ? nodeMarks(session, idOf) : undefined),
    [session, idOf]
  );
  const edgeNotes = useMemo(
    () => (session ? edgeNotesById(gradEdgeNotes(session), idOf) : undefined),
    [session, idOf]
  );
  const rootRef = useRef<HTMLDivElement>(null);
  const pane = useRef<PaneApi | null>(null);
  const [picked, setPicked] = useState<Picked>({ id: null, at: '' });
  // Derived, not set in an effect: a step renders once, with its node inspected.
  const selected = inspectedNode(picked, pausedAt);
  const pausedKey = useRef(pausedAt.key);
  pausedKey.current = pausedAt.key;
  // One function for the pane's whole life (a new one would re-render its handlers each step).
  const pick = useCallback(
    (id: string | null) => setPicked({ id, at: pausedKey.current }),
    []
  );
  const [tab, setTab] = useState<'node' | 'breakpoints'>('node');
  const [notice, setNotice] = useState<string | null>(null);
  const [menu, setMenu] = useState<{
    nodeId: string;
    x: number;
    y: number;
  } | null>(null);
  const sessionRef = useRef(session);
  sessionRef.current = session;

  const fail = useCallback((err: unknown) => {
    setNotice(err instanceof Error ? err.message : String(err));
  }, []);
  const run = useCallback(
    (command: Command, extra?: { node?: string; n?: number }) => {
      setNotice(null);
      backend.command(command, extra).catch(fail);
    },
    [backend, fail]
  );
  const controls = useMemo<DebuggerControls>(
    () => ({
      run: command => {
        const s = sessionRef.current;
        if (s && commandEnabled(command, s)) {
          run(command);
        }
      }
    }),
    [run]
  );
  useEffect(() => () => debuggerFocus.forget(controls), [controls]);
  const changeBreakpoint = useCallback(
    (request: BreakpointChange) => {
      setNotice(null);
      backend.breakpoint(request).catch(fail);
    },
    [backend, fail]
  );
  const breakHere = useCallback(
    (name: string, nonfinite: boolean) =>
      changeBreakpoint({
        action: 'add',
        where: name,
        condition: nonfinite ? { kind: 'nonfinite' } : null,
        hits: null
      }),
    [changeBreakpoint]
  );

  // The node paused at: inspected (above), highlighted on the canvas and brought into view
  // (the view stays put while it is well inside it: a step redraws no canvas).
  const cur = session?.state === 'paused' ? session.current : null;
  const curId = cur?.node_id ?? null;
  // The pane selects it while rendering (tracked); here, before the paint, the view follows it.
  useLayoutEffect(() => {
    if (curId) {
      pane.current?.track(curId);
    }
  }, [pausedAt, curId]);
  const showCurrent = useCallback(() => {
    if (curId) {
      pick(curId);
      setTab('node');
      pane.current?.reveal(curId);
    }
  }, [curId, pick]);
  const onApi = useCallback((api: PaneApi | null) => {
    pane.current = api;
  }, []);
  const onContextMenu = useCallback((nodeId: string, x: number, y: number) => {
    const r = rootRef.current?.getBoundingClientRect();
    setMenu({ nodeId, x: x - (r?.left ?? 0), y: y - (r?.top ?? 0) });
  }, []);

  const onKeyDown = (e: React.KeyboardEvent): void => {
    if (!session || isTyping(e.target as HTMLElement)) {
      return;
    }
    const command = keyCommand(e, session.state);
    if (command) {
      e.preventDefault();
      e.stopPropagation();
      if (commandEnabled(command, session)) {
        run(command);
      }
    }
  };

  const selNode = selected ? (model.nodeById.get(selected) ?? null) : null;
  const menuNode = menu ? model.nodeById.get(menu.nodeId) : undefined;
  const menuName = menuNode?.name ?? '';
  const canGo = session !== null && commandEnabled('resume', session);
  return (
    <div
      className="vf-debugger"
      ref={rootRef}
      tabIndex={-1}
      style={{ height: props.height }}
      onKeyDown={onKeyDown}
      onFocusCapture={() => debuggerFocus.focus(controls)}
      onPointerDownCapture={() => debuggerFocus.focus(controls)}
      data-state={session?.state ?? 'none'}
      data-steps={session?.history.steps ?? 0}
      data-current={curId ?? undefined}
    >
      {session ? (
        <Toolbar session={session} run={run} showCurrent={showCurrent} />
      ) : null}
      {notice ? (
        <div className="vf-graph-error vf-dbg-notice" role="alert">
          {notice}
          <button
            className="vf-dbg-notice-close"
            aria-label="dismiss"
            onClick={() => setNotice(null)}
          >
            ×
          </button>
        </div>
      ) : null}
      <div className="vf-dbg-main">
        <div className="vf-graph-body vf-dbg-canvas">
          <GraphPane
            payload={payload}
            direction={props.direction}
            createLayoutClient={props.createLayoutClient}
            backend={null}
            settings={props.settings}
            onLayoutState={props.onLayoutState}
            onApi={onApi}
            onSelectNode={pick}
            tracked={pausedAt}
            debugMarks={marks}
            debugEdgeNotes={edgeNotes}
            onNodeContextMenu={onContextMenu}
            showInspector={false}
          />
        </div>
        {session ? (
          <aside className="vf-dbg-side" aria-label="debugger inspector">
            <div className="vf-dbg-tabs" role="tablist">
              <button
                role="tab"
                aria-selected={tab === 'node'}
                className={tab === 'node' ? 'vf-dbg-tab-on' : ''}
                onClick={() => setTab('node')}
              >
                Inspector
              </button>
              <button
                role="tab"
                aria-selected={tab === 'breakpoints'}
                className={tab === 'breakpoints' ? 'vf-dbg-tab-on' : ''}
                onClick={() => setTab('breakpoints')}
              >
                {`Breakpoints (${session.breakpoints.length})`}
              </button>
            </div>
            <div className="vf-dbg-side-body">
              {tab === 'node' ? (
                <NodePanel
                  model={model}
                  opDocs={payload?.op_docs}
                  node={selNode}
                  session={session}
                  backend={backend}
                  moment={momentOf(session)}
                  onSelect={id => {
                    pick(id);
                    pane.current?.reveal(id);
                  }}
                  breakHere={breakHere}
                  notify={setNotice}
                />
              ) : (
                <BreakpointsPanel
                  session={session}
                  selectedName={selNode?.name ?? ''}
                  change={changeBreakpoint}
                />
              )}
            </div>
            <LossChart losses={session.losses} />
          </aside>
        ) : null}
      </div>
      {session ? (
        <Timeline session={session} goBack={n => run('step_back', { n })} />
      ) : null}
      {menu && menuName ? (
        <ContextMenu
          x={menu.x}
          y={menu.y}
          title={menuName}
          close={() => setMenu(null)}
          items={[
            {
              label: 'Run to here',
              disabled: !canGo,
              act: () => run('run_to', { node: menuName })
            },
            { label: 'Break here', act: () => breakHere(menuName, false) },
            {
              label: 'Break here on NaN/Inf',
              act: () => breakHere(menuName, true)
            },
            {
              label: 'Inspect',
              act: () => {
                pick(menu.nodeId);
                setTab('node');
              }
            }
          ]}
        />
      ) : null}
    </div>
  );
}
