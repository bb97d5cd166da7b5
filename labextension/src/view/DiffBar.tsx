import React from 'react';
import type { DiffCounts, DiffStep } from '../model/diff';

/** Compare: the counts of differences (with their colours as the legend) and stepping through them. */
export function DiffBar(props: {
  counts: DiffCounts;
  steps: readonly DiffStep[];
  /** Index of the step shown, -1 before the first. */
  current: number;
  onStep: (delta: number) => void;
  /** How to name a step's node. */
  describe: (step: DiffStep) => string;
}): JSX.Element {
  const { counts, steps, current, onStep, describe } = props;
  const step = current >= 0 ? steps[current] : null;
  return (
    <div className="vf-diff-bar" role="group" aria-label="differences">
      <span className="vf-diff-count vf-diff-count-added">
        <span className="vf-diff-swatch vf-diff-added" />
        {`${counts.added} added`}
      </span>
      <span className="vf-diff-count vf-diff-count-removed">
        <span className="vf-diff-swatch vf-diff-removed" />
        {`${counts.removed} removed`}
      </span>
      <span className="vf-diff-count vf-diff-count-changed">
        <span className="vf-diff-swatch vf-diff-changed" />
        {`${counts.changed} changed`}
      </span>
      <button
        className="vf-button vf-diff-prev"
        title="Previous difference"
        disabled={steps.length === 0}
        onClick={() => onStep(-1)}
      >
        ◀
      </button>
      <button
        className="vf-button vf-diff-next"
        title="Next difference"
        disabled={steps.length === 0}
        onClick={() => onStep(1)}
      >
        ▶
      </button>
      <span className="vf-diff-step" title={step ? describe(step) : ''}>
        {step
          ? `${current + 1}/${steps.length}: ${describe(step)}`
          : steps.length === 0
            ? 'no differences'
            : `${steps.length} differences`}
      </span>
    </div>
  );
}
