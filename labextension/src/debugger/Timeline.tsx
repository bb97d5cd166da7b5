/**
 * The steps taken, most recent last: click one to go back to it; the history's cap and bytes.
 * A tick's text does not count steps back, so a step rewrites in the DOM only the ticks it adds
 * or changes (counted titles rewrote every tick's title: ~55 style invalidations per step).
 */
import React from 'react';
import type { DebugSessionState } from '../protocol';
import { healthNote, historyText, stepsBack } from './session';

export function Timeline(props: {
  session: DebugSessionState;
  goBack: (n: number) => void;
}): JSX.Element {
  const { session } = props;
  const h = session.history;
  const recent = h.recent;
  const canGo = session.state !== 'running';
  return (
    <div className="vf-dbg-timeline" aria-label="timeline of steps">
      <div className="vf-dbg-steps" role="list">
        {recent.map((step, i) => {
          const back = stepsBack(recent.length, i);
          const bad = healthNote(step.health);
          const nonfinite =
            step.health.nan + step.health.posinf + step.health.neginf > 0;
          return (
            <button
              key={`${h.steps - back}`}
              role="listitem"
              className={[
                'vf-dbg-tick',
                `vf-dbg-phase-${step.phase}`,
                nonfinite ? 'vf-dbg-tick-bad' : '',
                back === 0 ? 'vf-dbg-tick-now' : '',
                step.has_value ? '' : 'vf-dbg-tick-novalue'
              ]
                .filter(Boolean)
                .join(' ')}
              data-step={h.steps - back}
              data-name={step.name}
              disabled={!canGo || back === 0}
              title={`step ${h.steps - back}: ${step.name} (${step.op}, ${step.phase}) · ${bad}${
                step.has_value ? '' : ' · value beyond the history cap'
              }${back > 0 ? ' · click to go back to it' : ''}`}
              onClick={() => props.goBack(back)}
            />
          );
        })}
      </div>
      <div className="vf-dbg-history" data-history-bytes={h.total_bytes}>
        {historyText(h)}
      </div>
    </div>
  );
}
