/**
 * The steps taken, most recent last: click one to go back to it; the history's cap and bytes.
 * A tick's text does not count steps back, so a step rewrites in the DOM only the ticks it adds
 * or changes (counted titles rewrote every tick's title: ~55 style invalidations per step); a
 * tick re-renders only when its own step (the same object while unchanged), its being the last
 * or whether one can go back changes, so a step renders the few ticks it changed, not 200.
 */
import React, { useCallback, useRef } from 'react';
import type { DebugHistoryStep, DebugSessionState } from '../protocol';
import { healthNote, historyText, stepsBack } from './session';

function TickButton(props: {
  step: DebugHistoryStep;
  /** Its position in the history (steps counted from 0). */
  at: number;
  now: boolean;
  canGo: boolean;
  goTo: (at: number) => void;
}): JSX.Element {
  const { step, at, now } = props;
  const bad = healthNote(step.health);
  const nonfinite =
    step.health.nan + step.health.posinf + step.health.neginf > 0;
  return (
    <button
      role="listitem"
      className={[
        'vf-dbg-tick',
        `vf-dbg-phase-${step.phase}`,
        nonfinite ? 'vf-dbg-tick-bad' : '',
        now ? 'vf-dbg-tick-now' : '',
        step.has_value ? '' : 'vf-dbg-tick-novalue'
      ]
        .filter(Boolean)
        .join(' ')}
      data-step={at + 1}
      data-name={step.name}
      disabled={!props.canGo || now}
      title={`step ${at + 1}: ${step.name} (${step.op}, ${step.phase}) · ${bad}${
        step.has_value ? '' : ' · value beyond the history cap'
      }${now ? '' : ' · click to go back to it'}`}
      onClick={() => props.goTo(at)}
    />
  );
}

const Tick = React.memo(TickButton);

export function Timeline(props: {
  session: DebugSessionState;
  goBack: (n: number) => void;
}): JSX.Element {
  const { session } = props;
  const h = session.history;
  const recent = h.recent;
  const canGo = session.state !== 'running';
  const first = h.steps - recent.length;
  // One function for every tick and render: steps back are counted when clicked.
  const latest = useRef({ steps: h.steps, goBack: props.goBack });
  latest.current = { steps: h.steps, goBack: props.goBack };
  const goTo = useCallback(
    (at: number) => latest.current.goBack(stepsBack(latest.current.steps, at)),
    []
  );
  return (
    <div className="vf-dbg-timeline" aria-label="timeline of steps">
      <div className="vf-dbg-steps" role="list">
        {recent.map((step, i) => (
          <Tick
            key={first + i}
            step={step}
            at={first + i}
            now={i === recent.length - 1}
            canGo={canGo}
            goTo={goTo}
          />
        ))}
      </div>
      <div className="vf-dbg-history" data-history-bytes={h.total_bytes}>
        {historyText(h)}
      </div>
    </div>
  );
}
