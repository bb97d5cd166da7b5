/** The breakpoints: listed, toggled and removed; added on a node or group with a condition and hit count. */
import React, { useEffect, useState } from 'react';
import type { DebugSessionState } from '../protocol';
import {
  addRequest,
  breakpointText,
  type BreakpointChange,
  type ConditionKind
} from './session';

const CONDITIONS: readonly { kind: ConditionKind; label: string }[] = [
  { kind: '', label: 'always' },
  { kind: 'nan', label: 'on NaN' },
  { kind: 'inf', label: 'on Inf' },
  { kind: 'nonfinite', label: 'on NaN or Inf' },
  { kind: 'produces_nonfinite', label: 'where NaN/Inf first appears' },
  { kind: 'grad_above', label: '|grad| above…' }
];

export function BreakpointsPanel(props: {
  session: DebugSessionState;
  /** The selected node's name: the form's default place. */
  selectedName: string;
  change: (request: BreakpointChange) => void;
}): JSX.Element {
  const { session, change } = props;
  const [where, setWhere] = useState(props.selectedName);
  const [kind, setKind] = useState<ConditionKind>('');
  const [threshold, setThreshold] = useState('');
  const [hits, setHits] = useState('');
  useEffect(() => setWhere(props.selectedName), [props.selectedName]);
  const request = addRequest(where, kind, threshold, hits);
  return (
    <div className="vf-dbg-breakpoints">
      {session.breakpoints.length === 0 ? (
        <div className="vf-dbg-muted">
          No breakpoints. Add one below, or right-click a node.
        </div>
      ) : (
        <ul className="vf-dbg-bp-list">
          {session.breakpoints.map(bp => (
            <li
              key={bp.id}
              data-breakpoint={bp.id}
              className={session.hit === bp.id ? 'vf-dbg-bp-hit' : ''}
            >
              <label>
                <input
                  type="checkbox"
                  checked={bp.enabled}
                  aria-label={`enable breakpoint ${bp.id}`}
                  onChange={e =>
                    change({
                      action: 'toggle',
                      id: bp.id,
                      enabled: e.target.checked
                    })
                  }
                />
                <span className="vf-dbg-bp-text">{breakpointText(bp)}</span>
              </label>
              <button
                className="vf-dbg-bp-remove"
                title="Remove this breakpoint"
                aria-label={`remove breakpoint ${bp.id}`}
                onClick={() => change({ action: 'remove', id: bp.id })}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        className="vf-dbg-bp-form"
        onSubmit={e => {
          e.preventDefault();
          if (request) {
            change(request);
          }
        }}
      >
        <input
          aria-label="breakpoint place"
          placeholder="node or group (empty: anywhere)"
          value={where}
          onChange={e => setWhere(e.target.value)}
        />
        <select
          aria-label="breakpoint condition"
          value={kind}
          onChange={e => setKind(e.target.value as ConditionKind)}
        >
          {CONDITIONS.map(c => (
            <option key={c.kind} value={c.kind}>
              {c.label}
            </option>
          ))}
        </select>
        {kind === 'grad_above' ? (
          <input
            aria-label="gradient threshold"
            placeholder="threshold"
            value={threshold}
            onChange={e => setThreshold(e.target.value)}
          />
        ) : null}
        <input
          aria-label="stop at hit"
          placeholder="at hit # (optional)"
          value={hits}
          onChange={e => setHits(e.target.value)}
        />
        <button type="submit" disabled={!request}>
          Add breakpoint
        </button>
      </form>
    </div>
  );
}
