import React, { useCallback, useMemo, useRef } from 'react';
import type { GraphPayload } from '../protocol';
import { buildGraphModel } from '../model/graphModel';
import { buildNameIndex, compareLabels, matchNode } from '../model/compare';
import type { LayoutState } from '../model/viewerState';
import type { ViewerSettings } from '../model/settings';
import type { LayoutClient } from '../layout/client';
import type { LayoutDirection } from '../layout/messages';
import type { InspectBackend } from './Inspector';
import { GraphPane, type PaneApi, type PaneTiming } from './GraphPane';

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
  height?: string;
  onLayoutState?: (
    state: LayoutState,
    error: string | null,
    timing: PaneTiming | null
  ) => void;
  onApi?: (api: GraphViewerApi | null) => void;
}

/** The graph viewer: one pane, or two side by side with synchronised selection. */
export function GraphViewer(props: GraphViewerProps): JSX.Element {
  const { payload, compare, height } = props;
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
      if (match) {
        panes.current[side === 0 ? 1 : 0]?.reveal(match);
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
        onLayoutState={props.onLayoutState}
        onApi={onApi0}
        onSelectNode={compare ? select0 : undefined}
      />
      {compare ? (
        <GraphPane
          {...common}
          payload={compare}
          label={labels?.b}
          backend={null}
          onApi={onApi1}
          onSelectNode={select1}
        />
      ) : null}
    </>
  );
  if (!labels) {
    return (
      <div className="vf-graph-body" style={{ height: height || '420px' }}>
        {sides}
      </div>
    );
  }
  return (
    <div className="vf-compare-frame" style={{ height: height || '420px' }}>
      <div className="vf-compare-caption" title={labels.caption}>
        {labels.caption}
      </div>
      <div className="vf-graph-body vf-compare">{sides}</div>
    </div>
  );
}
