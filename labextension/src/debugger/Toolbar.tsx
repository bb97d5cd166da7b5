/** The debugger's controls and the line that says what the session is doing. */
import React from 'react';
import type { DebugSessionState } from '../protocol';
import { SHORTCUTS, commandEnabled, stateCue, type Command } from './session';

const BUTTONS: readonly { command: Command; label: string; help: string }[] = [
  { command: 'step', label: 'Step', help: 'Run the next node and pause' },
  {
    command: 'step_over',
    label: 'Step over',
    help: 'Run the rest of the group (layer) the next node is in'
  },
  {
    command: 'step_into',
    label: 'Step into',
    help: 'Run one node, into the group it opens'
  },
  {
    command: 'step_iteration',
    label: 'Step iteration',
    help: 'Run to the end of this iteration: in training-loop mode one whole iteration (updates applied, loss charted); in a single run, to its end'
  },
  {
    command: 'resume',
    label: 'Continue',
    help: 'Run until a breakpoint, Pause, or the end'
  },
  { command: 'pause', label: 'Pause', help: 'Stop the running session' },
  {
    command: 'step_back',
    label: 'Step back',
    help: 'Go back one step (values as they were then)'
  },
  {
    command: 'run_to_nan',
    label: 'Run to first NaN/Inf',
    help: 'Run to the node that produces the first NaN or Inf'
  },
  {
    command: 'restart',
    label: 'Restart',
    help: 'Back to the start: parameters restored, history cleared'
  }
];

export function tooltip(help: string, command: Command): string {
  const key = SHORTCUTS[command];
  return key ? `${help} (${key})` : help;
}

export function Toolbar(props: {
  session: DebugSessionState;
  run: (command: Command) => void;
  /** Select and centre the node paused at. */
  showCurrent: () => void;
}): JSX.Element {
  const { session, run } = props;
  const stale = session.stale.length;
  return (
    <div
      className="vf-dbg-toolbar"
      role="toolbar"
      aria-label="debugger controls"
    >
      {BUTTONS.map(b => (
        <button
          key={b.command}
          className={`vf-dbg-btn vf-dbg-${b.command}`}
          data-command={b.command}
          title={tooltip(b.help, b.command)}
          disabled={!commandEnabled(b.command, session)}
          onClick={() => run(b.command)}
        >
          {b.label}
        </button>
      ))}
      {stale > 0 && session.state === 'paused' ? (
        <button
          className="vf-dbg-btn vf-dbg-rerun_stale"
          data-command="rerun_stale"
          title="Re-run the nodes a changed value made stale"
          onClick={() => run('rerun_stale')}
        >
          {`Re-run ${stale} stale`}
        </button>
      ) : null}
      <button
        className={`vf-dbg-state vf-dbg-state-${session.state}`}
        data-state={session.state}
        role="status"
        title={
          session.state === 'paused'
            ? `${stateCue(session)}: click to show this node`
            : stateCue(session)
        }
        onClick={props.showCurrent}
      >
        {stateCue(session)}
      </button>
    </div>
  );
}
