import React, { useCallback, useMemo, useRef, useState } from 'react';
import type { Viewport } from '@xyflow/react';
import type { GraphPayload } from '../protocol';
import { buildGraphModel } from '../model/graphModel';
import { compareLabels } from '../model/compare';
import { diffGraphs, type DiffStep } from '../model/diff';
import type { GraphModel } from '../model/graphModel';
import type { LayoutState } from '../model/viewerState';
import type { ViewerSettings } from '../model/settings';
import type { LayoutClient } from '../layout/client';
import type { LayoutDirection } from '../layout/messages';
import type { LaidOutPane } from '../layout/compareAlign';
import type { InspectBackend } from './Inspector';
import { GraphPane, type PaneApi, type PaneTiming } from './GraphPane';
import { useDragHeight } from './hooks/useDragHeight';
import { stepIndex } from './hooks/diffMarks';
import { DiffBar } from './DiffBar';

export interface GraphViewerApi {
  fit(): void;
}

export interface GraphViewerProps {
  payload: GraphPayload | null;
  /** A second graph shown side by side, selection synchronised by node name. */
  compare?: GraphPayload | null;
  direction: LayoutDirection;
  createLayoutClient: () => LayoutClient;
  /** Null when no kernel can answer (a saved notebook). */
  backend: InspectBackend | null;
  settings: ViewerSettings;
  /** A CSS length, or 'auto' (or empty): as tall as the graph wants, within bounds. */
  height?: string;
  /** The viewer's own heading (vf.show's `title=`): a comparison's caption, one graph's title. */
  title?: string;
  onLayoutState?: (
    state: LayoutState,
    error: string | null,
    timing: PaneTiming | null
  ) => void;
  onApi?: (api: GraphViewerApi | null) => void;
}

/** Height of a viewer whose graph is not drawn yet, when its height follows the graph. */
const AUTO_START_HEIGHT_PX = 320;

export function isAutoHeight(height: string | undefined): boolean {
  return !height || height.trim() === 'auto';
}

/** Height of a comparison's rows above its panes (caption, diff bar); 0 for one pane. */
function compareChrome(
  frame: HTMLDivElement | null,
  panes: HTMLDivElement | null
): number {
  return frame && panes ? frame.offsetHeight - panes.offsetHeight : 0;
}

/** How a node is named in messages: its name, else its op, else its id. */
function nodeLabel(model: GraphModel, id: string): string {
  const n = model.nodeById.get(id);
  return n?.name || n?.op || id;
}

/** A difference in words: what, and which node (A's name, B's for an added node). */
function describeStep(a: GraphModel, b: GraphModel, step: DiffStep): string {
  const name =
    step.a !== null ? nodeLabel(a, step.a) : nodeLabel(b, step.b ?? '');
  const fields = step.fields.length > 0 ? ` (${step.fields.join(', ')})` : '';
  return `${step.status} ${name}${fields}`;
}

/** The graph viewer: one pane, or two side by side with synchronised selection. */
export function GraphViewer(props: GraphViewerProps): JSX.Element {
  const { payload, compare } = props;
  const auto = isAutoHeight(props.height);
  /** The pane height each side wants (auto height); the viewer takes the larger. */
  const [wants, setWants] = useState<[number, number]>([0, 0]);
  const want0 = useCallback(
    (px: number) => setWants(w => (w[0] === px ? w : [px, w[1]])),
    []
  );
  const want1 = useCallback(
    (px: number) => setWants(w => (w[1] === px ? w : [w[0], px])),
    []
  );
  /** The compare panes' row: the frame's height less this one's is its caption and diff bar. */
  const compareBodyRef = useRef<HTMLDivElement>(null);
  const wanted = Math.max(wants[0], wants[1]);
  const bodyRef = useRef<HTMLDivElement>(null);
  const { dragged, onGripPointerDown } = useDragHeight(bodyRef);
  const height =
    dragged !== null
      ? `${dragged}px`
      : !auto
        ? props.height
        : wanted > 0
          ? `${wanted + compareChrome(bodyRef.current, compareBodyRef.current)}px`
          : `${AUTO_START_HEIGHT_PX}px`;
  const grip = (
    <div
      className="vf-resize-grip"
      role="separator"
      aria-orientation="horizontal"
      aria-label="drag to resize the viewer"
      title="Drag to resize"
      onPointerDown={onGripPointerDown}
    />
  );
  const panes = useRef<(PaneApi | null)[]>([null, null]);
  const models = useMemo(
    () =>
      [
        buildGraphModel(payload),
        compare ? buildGraphModel(compare) : null
      ] as const,
    [payload, compare]
  );
  /** Compare: which node of A is which of B, and how they differ. */
  const diff = useMemo(
    () => (models[1] ? diffGraphs(models[0], models[1]) : null),
    [models]
  );
  const [stepAt, setStepAt] = useState(-1);
  const syncFrom = useCallback(
    (side: 0 | 1, nodeId: string) => {
      const from = models[side];
      const pane = panes.current[side === 0 ? 1 : 0];
      if (!diff || !from) {
        return;
      }
      const match = (side === 0 ? diff.matchAB : diff.matchBA).get(nodeId);
      if (match) {
        pane?.reveal(match);
      } else {
        // Say so, rather than leave (or pick) an unrelated node selected there.
        pane?.noMatch(nodeLabel(from, nodeId));
      }
    },
    [models, diff]
  );
  /** Show a difference in both panes (the side without the node says so). */
  const step = useCallback(
    (delta: number) => {
      const b = models[1];
      if (!diff || !b) {
        return;
      }
      const next = stepIndex(stepAt, delta, diff.steps.length);
      setStepAt(next);
      const s = diff.steps[next];
      if (!s) {
        return;
      }
      const [pa, pb] = panes.current;
      if (s.a !== null) {
        pa?.reveal(s.a);
      } else {
        pa?.noMatch(nodeLabel(b, s.b ?? ''));
      }
      if (s.b !== null) {
        pb?.reveal(s.b);
      } else {
        pb?.noMatch(nodeLabel(models[0], s.a ?? ''));
      }
    },
    [diff, models, stepAt]
  );
  const onApi0 = useCallback(
    (api: PaneApi | null) => {
      panes.current[0] = api;
      props.onApi?.(
        api ? { fit: () => panes.current.forEach(p => p?.fit()) } : null
      );
    },
    [props.onApi]
  );
  const onApi1 = useCallback((api: PaneApi | null) => {
    panes.current[1] = api;
  }, []);
  /** Compare: a pan or zoom on one side moves the other (their layouts are aligned). */
  const moved0 = useCallback(
    (vp: Viewport) => panes.current[1]?.follow(vp),
    []
  );
  const moved1 = useCallback(
    (vp: Viewport) => panes.current[0]?.follow(vp),
    []
  );
  const select0 = useCallback((id: string) => syncFrom(0, id), [syncFrom]);
  const select1 = useCallback((id: string) => syncFrom(1, id), [syncFrom]);
  const common = {
    direction: props.direction,
    createLayoutClient: props.createLayoutClient,
    backend: props.backend,
    settings: props.settings
  };
  const labels = compare
    ? compareLabels(props.title, payload?.title, compare.title)
    : null;
  /** Pane A's drawn layout, which pane B lines its matched nodes up with. */
  const [laidA, setLaidA] = useState<LaidOutPane | null>(null);
  const alignB = useMemo(
    () => (laidA && diff ? { pane: laidA, diff } : null),
    [laidA, diff]
  );
  const sides = (
    <>
      <GraphPane
        {...common}
        payload={payload}
        label={labels?.a ?? (props.title?.trim() || undefined)}
        inCompare={!!compare}
        onLaidOut={compare ? setLaidA : undefined}
        onLayoutState={props.onLayoutState}
        onApi={onApi0}
        onSelectNode={compare ? select0 : undefined}
        onUserMove={compare ? moved0 : undefined}
        onWantHeight={auto ? want0 : undefined}
        diffStatus={diff?.statusA}
      />
      {compare ? (
        <GraphPane
          {...common}
          payload={compare}
          label={labels?.b}
          inCompare={true}
          backend={null}
          onApi={onApi1}
          onSelectNode={select1}
          onUserMove={moved1}
          onWantHeight={auto ? want1 : undefined}
          diffStatus={diff?.statusB}
          alignTo={alignB}
        />
      ) : null}
    </>
  );
  if (!labels) {
    return (
      <>
        <div className="vf-graph-body" ref={bodyRef} style={{ height }}>
          {sides}
        </div>
        {grip}
      </>
    );
  }
  return (
    <>
      <div className="vf-compare-frame" ref={bodyRef} style={{ height }}>
        <div className="vf-compare-caption" title={labels.caption}>
          {labels.caption}
        </div>
        {diff && models[1] ? (
          <DiffBar
            counts={diff.counts}
            steps={diff.steps}
            current={stepAt}
            onStep={step}
            describe={st =>
              describeStep(models[0], models[1] as GraphModel, st)
            }
          />
        ) : null}
        <div className="vf-graph-body vf-compare" ref={compareBodyRef}>
          {sides}
        </div>
      </div>
      {grip}
    </>
  );
}
