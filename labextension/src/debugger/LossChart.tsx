/** Training-loop mode: the loss of each finished iteration, drawn as it arrives. */
import React from 'react';
import { formatStat } from '../model/inspect';
import { lossPoints } from './session';

const W = 220;
const H = 56;

export function LossChart(props: {
  losses: readonly (number | null)[];
}): JSX.Element | null {
  const { losses } = props;
  if (losses.length === 0) {
    return null;
  }
  const geo = lossPoints(losses, W, H);
  const last = losses[losses.length - 1];
  return (
    <div className="vf-dbg-loss" data-iterations={losses.length}>
      <div className="vf-dbg-loss-title">
        {`loss · iteration ${losses.length}: ${last === null ? 'NaN/Inf' : formatStat(last)}`}
      </div>
      <svg width={W} height={H} role="img" aria-label="loss per iteration">
        {geo ? (
          <polyline className="vf-dbg-loss-line" points={geo.points} />
        ) : null}
      </svg>
      {geo ? (
        <div className="vf-dbg-loss-axis">
          {`min ${formatStat(geo.lo)} · max ${formatStat(geo.hi)} · ${losses.length} iterations`}
        </div>
      ) : null}
    </div>
  );
}
