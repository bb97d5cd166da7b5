import React from 'react';
import type { PaneOverlay } from './hooks/useOverlay';

export interface PaneHeaderProps {
  heading: string;
  counts: string;
  /** Problems found in the graph (shown as a count, listed in its tooltip). */
  issues: string[];
  search: JSX.Element;
  overlay: PaneOverlay;
  /** The First NaN button, when a node produces a non-finite value. */
  nan: { produced: number; passed: number; select: () => void } | null;
  /** The Collapse/Expand all toggle, when the graph has groups. */
  groups: { anyOpen: boolean; toggle: () => void } | null;
  map: { shown: boolean; toggle: () => void };
  fit: () => void;
  exportAs: (kind: 'svg' | 'png') => void;
}

/** A pane's heading (title, counts, problems) and toolbar. */
export function PaneHeader(props: PaneHeaderProps): JSX.Element {
  const { heading, counts, issues, search, nan, groups, map, fit, exportAs } =
    props;
  const { metrics, metric, setMetric } = props.overlay;
  return (
    <div className="vf-graph-header">
      <span className="vf-graph-heading">
        <span className="vf-graph-title" title={heading}>
          {heading}
        </span>
        <span className="vf-graph-counts" title={counts}>
          {counts}
        </span>
      </span>
      {issues.length > 0 ? (
        <span className="vf-graph-issues" title={issues.join('\n')}>
          {`${issues.length} problem(s) in the graph`}
        </span>
      ) : null}
      <span className="vf-toolbar">
        {search}
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
        {nan ? (
          <button
            className="vf-button vf-first-nan"
            title={`Select the first node producing NaN/Inf (${nan.produced} produce, ${nan.passed} pass one on)`}
            onClick={nan.select}
          >
            First NaN
          </button>
        ) : null}
        {groups ? (
          <button
            className="vf-button vf-collapse-all"
            title={groups.anyOpen ? 'Collapse all groups' : 'Expand all groups'}
            aria-pressed={groups.anyOpen}
            onClick={groups.toggle}
          >
            {groups.anyOpen ? 'Collapse all' : 'Expand all'}
          </button>
        ) : null}
        <button
          className="vf-button vf-map-toggle"
          title={map.shown ? 'Hide the minimap' : 'Show the minimap'}
          aria-pressed={map.shown}
          onClick={map.toggle}
        >
          Map
        </button>
        <button className="vf-button vf-fit" title="Fit to view" onClick={fit}>
          Fit
        </button>
        <button
          className="vf-button vf-export-svg"
          title="Download as SVG"
          onClick={() => exportAs('svg')}
        >
          SVG
        </button>
        <button
          className="vf-button vf-export-png"
          title="Download as PNG"
          onClick={() => exportAs('png')}
        >
          PNG
        </button>
      </span>
    </div>
  );
}
