/**
 * The editor's toolbar: undo/redo (titled with what they undo), edit actions on
 * the selection, layout, run, debug (the graph in the debugger beside the
 * editor), train with a live loss curve, and the status line (validity
 * summary, or the kernel's last refusal).
 */
import React, { useState } from 'react';
import type { EditorTrainProgress } from '../../protocol';
import type { SessionSnapshot } from '../model/session';

export interface TrainSettings {
  steps: number;
  lr: number;
  optimizer: 'sgd' | 'adam' | 'adamw' | 'rmsprop';
}

export interface ToolbarActions {
  undo: () => void;
  redo: () => void;
  remove: () => void;
  group: () => void;
  ungroup: () => void;
  layout: () => void;
  alignLeft: () => void;
  alignTop: () => void;
  run: () => void;
  train: (s: TrainSettings) => void;
  /** Open the graph in the debugger beside the editor; null where it cannot open. */
  debug: (() => void) | null;
}

function Button(props: {
  label: string;
  title: string;
  onClick: () => void;
  disabled?: boolean;
  action: string;
}): JSX.Element {
  return (
    <button
      className="vf-edit-tool"
      data-action={props.action}
      title={props.title}
      aria-label={props.title}
      disabled={props.disabled}
      onClick={props.onClick}
    >
      {props.label}
    </button>
  );
}

/** The losses so far as a small line chart, the latest value beside it. */
export function LossCurve(props: {
  progress: EditorTrainProgress;
}): JSX.Element {
  const { losses, step, steps, running, error } = props.progress;
  const finite = losses.filter(
    (l): l is number => l !== null && Number.isFinite(l)
  );
  const W = 140;
  const H = 28;
  let path = '';
  if (finite.length > 1) {
    const lo = Math.min(...finite);
    const hi = Math.max(...finite);
    const span = hi - lo || 1;
    path = losses
      .map((l, i) => {
        if (l === null) {
          return '';
        }
        const x = (i / Math.max(losses.length - 1, 1)) * W;
        const y = H - ((l - lo) / span) * (H - 2) - 1;
        return `${i === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`;
      })
      .join(' ');
  }
  const last = finite.length ? finite[finite.length - 1] : undefined;
  return (
    <span
      className="vf-edit-loss"
      data-running={running ? 'true' : 'false'}
      data-losses={JSON.stringify(losses)}
      title={error ?? `step ${step} of ${steps}`}
    >
      <svg
        width={W}
        height={H}
        viewBox={`0 0 ${W} ${H}`}
        aria-label="loss curve"
      >
        <path d={path} fill="none" stroke="currentColor" strokeWidth={1.5} />
      </svg>
      <span className="vf-edit-loss-text">
        {error
          ? `training failed: ${error}`
          : `step ${step}/${steps}${last !== undefined ? ` · loss ${last.toPrecision(4)}` : ''}`}
      </span>
    </span>
  );
}

export function Toolbar(props: {
  snap: SessionSnapshot;
  summary: string;
  hasSelection: boolean;
  hasGroupSelected: boolean;
  train: EditorTrainProgress | null;
  running: boolean;
  actions: ToolbarActions;
}): JSX.Element {
  const { snap, actions } = props;
  const [settings, setSettings] = useState<TrainSettings>({
    steps: 20,
    lr: 0.1,
    optimizer: 'sgd'
  });
  return (
    <div className="vf-edit-toolbar" role="toolbar">
      <Button
        action="undo"
        label="↶"
        title={
          snap.undoLabel ? `Undo ${snap.undoLabel} (Ctrl+Z)` : 'Nothing to undo'
        }
        onClick={actions.undo}
        disabled={!snap.canUndo}
      />
      <Button
        action="redo"
        label="↷"
        title={
          snap.redoLabel
            ? `Redo ${snap.redoLabel} (Shift+Ctrl+Z)`
            : 'Nothing to redo'
        }
        onClick={actions.redo}
        disabled={!snap.canRedo}
      />
      <span className="vf-edit-sep" />
      <Button
        action="delete"
        label="Delete"
        title="Delete the selection (Del)"
        onClick={actions.remove}
        disabled={!props.hasSelection}
      />
      <Button
        action="group"
        label="Group"
        title="Group the selection into a named scope (Ctrl+G)"
        onClick={actions.group}
        disabled={!props.hasSelection}
      />
      <Button
        action="ungroup"
        label="Ungroup"
        title="Ungroup the selected group"
        onClick={actions.ungroup}
        disabled={!props.hasGroupSelected}
      />
      <Button
        action="layout"
        label="Layout"
        title="Lay the graph out (ELK)"
        onClick={actions.layout}
      />
      <Button
        action="align-left"
        label="⇤"
        title="Align the selection's left edges"
        onClick={actions.alignLeft}
        disabled={!props.hasSelection}
      />
      <Button
        action="align-top"
        label="⤒"
        title="Align the selection's top edges"
        onClick={actions.alignTop}
        disabled={!props.hasSelection}
      />
      <span className="vf-edit-sep" />
      <Button
        action="run"
        label="▶ Run"
        title="Run the graph (inputs: kernel variables or random)"
        onClick={actions.run}
        disabled={props.running}
      />
      <Button
        action="debug"
        label="Debug"
        title={
          actions.debug
            ? 'Open the graph in the debugger beside the editor (inputs as Run)'
            : 'The debugger opens from a notebook editor: ed.debug() in a cell'
        }
        onClick={() => actions.debug?.()}
        disabled={props.running || !actions.debug}
      />
      <span className="vf-edit-train">
        <Button
          action="train"
          label="Train"
          title="Train the selected loss node (or the graph's output)"
          onClick={() => actions.train(settings)}
          disabled={props.running}
        />
        <input
          type="number"
          min={1}
          aria-label="steps"
          title="steps"
          value={settings.steps}
          onChange={e =>
            setSettings({
              ...settings,
              steps: Math.max(1, Number(e.target.value) || 1)
            })
          }
        />
        <select
          aria-label="optimizer"
          value={settings.optimizer}
          onChange={e =>
            setSettings({
              ...settings,
              optimizer: e.target.value as TrainSettings['optimizer']
            })
          }
        >
          <option value="sgd">SGD</option>
          <option value="adam">Adam</option>
          <option value="adamw">AdamW</option>
          <option value="rmsprop">RMSprop</option>
        </select>
        <input
          type="number"
          step="any"
          aria-label="learning rate"
          title="learning rate"
          value={settings.lr}
          onChange={e =>
            setSettings({
              ...settings,
              lr: Number(e.target.value) || settings.lr
            })
          }
        />
      </span>
      {props.train && (props.train.running || props.train.losses.length > 0) ? (
        <LossCurve progress={props.train} />
      ) : null}
      <span
        className={`vf-edit-status${snap.error ? ' vf-edit-status-error' : ''}`}
        role="status"
      >
        {snap.error ?? props.summary}
      </span>
    </div>
  );
}
