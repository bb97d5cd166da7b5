/**
 * The debugger's inspector: the selected node (the one paused at, unless the
 * person picked another) with its source line, forward and backward formula,
 * output and input values at this moment, a what-if edit, a gradient check
 * and breakpoint buttons.
 */
import React, { useCallback, useRef, useState } from 'react';
import type {
  DebugSessionState,
  DebugSource,
  GraphNode,
  OpDoc,
  SourceLocation
} from '../protocol';
import type { GraphModel } from '../model/graphModel';
import { formatStat } from '../model/inspect';
import { labHooks } from '../labHooks';
import { Stats, sourceText } from '../view/Inspector';
import { gradRows, healthNote } from './session';
import { useValues, type Fetched } from './useValues';
import type { DebuggerBackend } from './widget';

const INPUTS_SHOWN = 4;

function SourceLink(props: {
  label: string;
  src: SourceLocation | DebugSource;
}): JSX.Element {
  const { src } = props;
  const text = `${sourceText({ file: src.file, line: src.line })}${src.function ? ` in ${src.function}` : ''}`;
  return (
    <div className="vf-dbg-source" data-source-line={src.line}>
      <span className="vf-dbg-label">{props.label}</span>
      {labHooks.openSource ? (
        <button
          className="vf-link"
          title={`Open ${src.file} at line ${src.line}`}
          onClick={e =>
            labHooks.openSource?.(src as SourceLocation, e.currentTarget)
          }
        >
          {text}
        </button>
      ) : (
        <span>{text}</span>
      )}
    </div>
  );
}

function ValueView(props: {
  title: string;
  fetched: Fetched | undefined;
}): JSX.Element {
  const f = props.fetched;
  if (!f || f.state === 'loading') {
    return <div className="vf-dbg-muted">{`${props.title}: loading…`}</div>;
  }
  if (f.state === 'error') {
    return (
      <div className="vf-dbg-muted" data-value-error={props.title}>
        {`${props.title}: ${f.message}`}
      </div>
    );
  }
  const v = f.reply.value;
  return v ? (
    <Stats title={props.title} s={v} />
  ) : (
    <div className="vf-dbg-muted">{`${props.title}: not computed yet`}</div>
  );
}

/** A value's statistics; rendered again only when its values (or title) change. */
const ValueOf = React.memo(ValueView);

function WhatIf(props: {
  name: string;
  backend: DebuggerBackend;
  notify: (text: string) => void;
}): JSX.Element {
  const [expr, setExpr] = useState('');
  const [rerun, setRerun] = useState(true);
  const [result, setResult] = useState<string | null>(null);
  const apply = (): void => {
    if (!expr.trim()) {
      return;
    }
    props.backend.setValue(props.name, expr.trim(), rerun).then(
      reply => {
        const r = reply.result;
        const n = r && 'rerun' in r ? r.rerun.length : 0;
        setResult(
          rerun
            ? `set; re-ran ${n} node${n === 1 ? '' : 's'} downstream`
            : `set; ${n} node${n === 1 ? '' : 's'} downstream marked stale`
        );
      },
      (err: Error) => props.notify(err.message)
    );
  };
  return (
    <section className="vf-inspector-section vf-dbg-whatif">
      <h4>what if</h4>
      <form
        onSubmit={e => {
          e.preventDefault();
          apply();
        }}
      >
        <input
          className="vf-dbg-whatif-input"
          aria-label={`new value of ${props.name}`}
          placeholder="x * 0 · x[0] = nan · 1.5"
          title="A what-if expression in x, the value now: a number, x, nan, inf, x[i], + - * / **, or x[i] = expression"
          value={expr}
          onChange={e => setExpr(e.target.value)}
        />
        <button
          type="submit"
          className="vf-dbg-whatif-apply"
          disabled={!expr.trim()}
        >
          Set
        </button>
        <label className="vf-dbg-check">
          <input
            type="checkbox"
            checked={rerun}
            onChange={e => setRerun(e.target.checked)}
          />
          re-run downstream now
        </label>
      </form>
      {result ? <div className="vf-dbg-result">{result}</div> : null}
    </section>
  );
}

function GradCheck(props: {
  name: string;
  backend: DebuggerBackend;
  notify: (text: string) => void;
}): JSX.Element {
  const [result, setResult] = useState<string | null>(null);
  return (
    <div className="vf-dbg-gradcheck">
      <button
        className="vf-dbg-gradcheck-btn"
        title="Compare this node's gradient rule with central finite differences on its recorded inputs"
        onClick={() =>
          props.backend.checkGrad(props.name).then(
            reply => {
              const r = reply.result;
              if (r && 'max_abs_error' in r) {
                setResult(
                  `max |error| ${formatStat(r.max_abs_error)}, relative ${formatStat(r.max_rel_error)}`
                );
              }
            },
            (err: Error) => props.notify(err.message)
          )
        }
      >
        Check gradient
      </button>
      {result ? (
        <span className="vf-dbg-result" data-gradcheck={result}>
          {result}
        </span>
      ) : null}
    </div>
  );
}

/** One parameter's gradient so far (re-rendered only when its own norm or health changes). */
function GradRowView(props: {
  name: string;
  norm: number | null;
  note: string;
  show: (name: string) => void;
}): JSX.Element {
  const { name, norm } = props;
  return (
    <tr data-grad={name}>
      <th>
        <button
          className="vf-link"
          title={`Show ${name} on the canvas`}
          onClick={() => props.show(name)}
        >
          {name}
        </button>
      </th>
      <td data-norm={norm ?? 'nonfinite'}>
        {norm === null ? props.note : `‖g‖ ${formatStat(norm)}`}
      </td>
    </tr>
  );
}

const GradRow = React.memo(GradRowView);

function Gradients(props: {
  session: DebugSessionState;
  /** Select and centre a parameter's node (its running gradient is drawn there). */
  show: (name: string) => void;
}): JSX.Element | null {
  const rows = gradRows(props.session);
  if (rows.length === 0) {
    return null;
  }
  return (
    <section className="vf-inspector-section vf-dbg-grads">
      <h4>gradients so far</h4>
      <table className="vf-stats">
        <tbody>
          {rows.map(r => (
            <GradRow
              key={r.name}
              name={r.name}
              norm={r.norm}
              note={r.norm === null ? healthNote(r.health) : ''}
              show={props.show}
            />
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function NodePanel(props: {
  model: GraphModel;
  opDocs: Record<string, OpDoc> | undefined;
  node: GraphNode | null;
  session: DebugSessionState;
  backend: DebuggerBackend;
  /** Changes whenever values may have changed (a step, a what-if): values are asked again. */
  moment: string;
  onSelect: (nodeId: string) => void;
  breakHere: (name: string, nonfinite: boolean) => void;
  notify: (text: string) => void;
}): JSX.Element {
  const { model, node, session, backend } = props;
  const inputs = node
    ? (model.incoming.get(node.id) ?? []).slice(0, INPUTS_SHOWN)
    : [];
  const started = session.state !== 'idle';
  const ids = node && started ? [node.id, ...inputs.map(e => e.source)] : [];
  const values = useValues(started ? backend : null, ids, props.moment);
  // One function for the gradient rows' links, so that a step re-renders only changed rows.
  const latest = useRef({ model, onSelect: props.onSelect });
  latest.current = { model, onSelect: props.onSelect };
  const showParam = useCallback((param: string) => {
    const id = latest.current.model.nodes.find(n => n.name === param)?.id;
    if (id) {
      latest.current.onSelect(id);
    }
  }, []);
  if (!node) {
    return (
      <div className="vf-dbg-muted vf-dbg-empty">
        {session.state === 'running'
          ? 'Running: Pause (F8) to stop at the node running now and inspect it.'
          : 'Step to start: the node paused at shows here. Click a node to inspect it, right-click it to run to it or break there.'}
      </div>
    );
  }
  const cur = session.state === 'paused' ? session.current : null;
  const isCurrent = cur !== null && cur.node_id === node.id;
  const doc = props.opDocs?.[node.op];
  const src = isCurrent ? cur.source : (node.source ?? null);
  const name = node.name || node.id;
  return (
    <div className="vf-inspector-body vf-dbg-node" data-inspected={node.id}>
      <h3 className="vf-inspector-title">
        <span className="vf-inspector-op">{node.op}</span>
        <span className="vf-dbg-nodename">{name}</span>
        <span className={`vf-dbg-phase vf-dbg-phase-${node.phase}`}>
          {node.phase}
        </span>
      </h3>
      {isCurrent ? <div className="vf-dbg-here">paused here</div> : null}
      {src ? <SourceLink label="made at" src={src} /> : null}
      {isCurrent && cur.forward_of ? (
        <div className="vf-dbg-forward">
          {`gradient of ${cur.forward_of}`}
          {cur.forward_source ? (
            <SourceLink label="" src={cur.forward_source} />
          ) : null}
        </div>
      ) : null}
      <Gradients session={session} show={showParam} />
      {doc ? (
        <section className="vf-inspector-section">
          <h4>forward</h4>
          <code className="vf-formula">{doc.formula}</code>
          <h4>backward</h4>
          <code className="vf-formula vf-grad-formula">{doc.grad_formula}</code>
        </section>
      ) : null}
      {started ? (
        <>
          <ValueOf title="output" fetched={values.get(node.id)} />
          {inputs.map((e, i) => {
            const from = model.nodeById.get(e.source);
            // Keyed by position: a step to another node updates these boxes in place
            // (keyed by edge, each step removed them all and built new ones).
            return (
              <div key={i} className="vf-dbg-input">
                <button
                  className="vf-link"
                  title="Select this input's node"
                  onClick={() => props.onSelect(e.source)}
                >
                  {`input ${e.target_port}: ${from?.name || from?.op || e.source}`}
                </button>
                <ValueOf
                  title={`input ${e.target_port}`}
                  fetched={values.get(e.source)}
                />
              </div>
            );
          })}
          <WhatIf
            key={name}
            name={name}
            backend={backend}
            notify={props.notify}
          />
          <GradCheck
            key={`g${name}`}
            name={name}
            backend={backend}
            notify={props.notify}
          />
        </>
      ) : null}
      <div className="vf-dbg-break-buttons">
        <button
          title="Pause whenever this node runs"
          onClick={() => props.breakHere(name, false)}
        >
          Break here
        </button>
        <button
          title="Pause when this node's value has a NaN or Inf"
          onClick={() => props.breakHere(name, true)}
        >
          Break on NaN/Inf here
        </button>
      </div>
    </div>
  );
}
