import React, { useCallback, useMemo, useRef, useState } from 'react';
import type { GraphPayload } from '../protocol';
import { buildGraphModel } from '../model/graphModel';
import { buildNameIndex, compareLabels, matchNode } from '../model/compare';
import type { LayoutState } from '../model/viewerState';
import type { ViewerSettings } from '../model/settings';
import type { LayoutClient } from '../layout/client';
import type { LayoutDirection } from '../layout/messages';
import type { InspectBackend } from './Inspector';
import { GraphPane, type PaneApi, type PaneTiming } from './GraphPane';
import { useDragHeight } from './hooks/useDragHeight';

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
  const captionRef = useRef<HTMLDivElement>(null);
  const wanted = Math.max(wants[0], wants[1]);
  const bodyRef = useRef<HTMLDivElement>(null);
  const { dragged, onGripPointerDown } = useDragHeight(bodyRef);
  const height =
    dragged !== null
      ? `${dragged}px`
      : !auto
        ? props.height
        : wanted > 0
          ? `${wanted + (captionRef.current?.offsetHeight ?? 0)}px`
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
  const names = useMemo(
    () =>
      [
        buildNameIndex(models[0]),
        models[1] ? buildNameIndex(models[1]) : null
      ] as const,
    [models]
  );
  const syncFrom = useCallback(
    (side: 0 | 1, nodeId: string) => {
      const other = models[side === 0 ? 1 : 0];
      const from = models[side];
      const otherNames = names[side === 0 ? 1 : 0];
      if (!other || !from || !otherNames) {
        return;
      }
      const match = matchNode(from, other, nodeId, otherNames);
      const pane = panes.current[side === 0 ? 1 : 0];
      if (match) {
        pane?.reveal(match);
      } else {
        // Say so, rather than leave (or pick) an unrelated node selected there.
        const node = from.nodeById.get(nodeId);
        pane?.noMatch(node?.name || node?.op || nodeId);
      }
    },
    [models, names]
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
  const select0 = useCallback((id: string) => syncFrom(0, id), [syncFrom]);
  const select1 = useCallback((id: string) => syncFrom(1, id), [syncFrom]);
  const common = {
    direction: props.direction,
    createLayoutClient: props.createLayoutClient,
    backend: props.backend,
    settings: props.settings
  };
  const labels = compare ? compareLabels(payload?.title, compare.title) : null;
  const sides = (
    <>
      <GraphPane
        {...common}
        payload={payload}
        label={labels?.a}
        inCompare={!!compare}
        onLayoutState={props.onLayoutState}
        onApi={onApi0}
        onSelectNode={compare ? select0 : undefined}
        onWantHeight={auto ? want0 : undefined}
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
          onWantHeight={auto ? want1 : undefined}
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
        <div
          className="vf-compare-caption"
          ref={captionRef}
          title={labels.caption}
        >
          {labels.caption}
        </div>
        <div className="vf-graph-body vf-compare">{sides}</div>
      </div>
      {grip}
    </>
  );
}
