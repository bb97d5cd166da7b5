import React from 'react';
import type { MetricInfo } from '../protocol';
import { formatMetric, type ColourScale } from '../model/overlay';

/** The overlay's colour scale: a gradient bar with its minimum and maximum. */
export function Legend(props: {
  info: MetricInfo;
  scale: ColourScale | null;
}): JSX.Element {
  const { info, scale } = props;
  return (
    <div className="vf-legend" aria-label={`colour scale for ${info.label}`}>
      <span className="vf-legend-label">{info.label}</span>
      {scale ? (
        <>
          <span className="vf-legend-min">
            {formatMetric(scale.min, info.unit)}
          </span>
          <span className="vf-legend-bar" />
          <span className="vf-legend-max">
            {formatMetric(scale.max, info.unit)}
          </span>
        </>
      ) : (
        <span className="vf-legend-empty">no values</span>
      )}
    </div>
  );
}
