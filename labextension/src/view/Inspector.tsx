import React, { useEffect, useRef, useState } from 'react';
import type { GraphNode, OpDoc, SourceLocation } from '../protocol';
import { formatShapeDtype } from '../model/format';
import type { GraphModel } from '../model/graphModel';
import { formatStat, type DecodedSummary } from '../model/inspect';
import type { ScopeGroup } from '../model/scopeTree';
import { labHooks } from '../labHooks';
import { parseRgb, themeColour } from './themeColours';
import { provenanceText, type InspectedValues } from './valueProvenance';

/** Where values come from: the kernel (live widget), or nowhere (saved notebook). */
export interface InspectBackend {
  inspect(nodeId: string): Promise<InspectedValues>;
}

export function sourceText(src: SourceLocation): string {
  if (src.cell) {
    return `${src.cell}, line ${src.line}`;
  }
  const file = src.file.split(/[\\/]/).pop() ?? src.file;
  return `${file}:${src.line}`;
}

function Histogram(props: { s: DecodedSummary }): JSX.Element | null {
  const counts = props.s.histogram;
  const h = props.s.summary.histogram;
  if (!counts || !h || counts.length === 0) {
    return null;
  }
  const max = Math.max(...counts, 1);
  const W = 260;
  const H = 60;
  const bw = W / counts.length;
  return (
    <div className="vf-histogram">
      <svg width={W} height={H} role="img" aria-label="histogram">
        {Array.from(counts, (c, i) => (
          <rect
            key={i}
            className="vf-histogram-bar"
            x={i * bw}
            y={H - (c / max) * H}
            width={Math.max(1, bw - 1)}
            height={(c / max) * H}
          >
            <title>{`${c}`}</title>
          </rect>
        ))}
      </svg>
      <div className="vf-histogram-axis">
        <span>{formatStat(h.lo)}</span>
        <span>{formatStat(h.hi)}</span>
      </div>
    </div>
  );
}

function Heatmap(props: { s: DecodedSummary }): JSX.Element | null {
  const ref = useRef<HTMLCanvasElement>(null);
  const values = props.s.heatmap;
  const m = props.s.summary.heatmap;
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas || !values || !m) {
      return;
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) {
      return;
    }
    // Resizing a canvas clears it and reallocates its pixels: only when the size changes.
    if (canvas.width !== m.cols || canvas.height !== m.rows) {
      canvas.width = m.cols;
      canvas.height = m.rows;
    }
    const lo = parseRgb(themeColour(canvas, 'var(--vf-overlay-low)'));
    const hi = parseRgb(themeColour(canvas, 'var(--vf-overlay-high)'));
    const img = ctx.createImageData(m.cols, m.rows);
    const span = m.hi - m.lo || 1;
    for (let i = 0; i < m.rows * m.cols; i++) {
      const v = values[i];
      const t = Number.isFinite(v)
        ? Math.min(1, Math.max(0, (v - m.lo) / span))
        : 0;
      for (let c = 0; c < 3; c++) {
        img.data[i * 4 + c] = Math.round(lo[c] + (hi[c] - lo[c]) * t);
      }
      img.data[i * 4 + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }, [values, m]);
  if (!values || !m) {
    return null;
  }
  const scale = Math.max(1, Math.floor(200 / Math.max(m.rows, m.cols)));
  return (
    <div className="vf-heatmap">
      <canvas
        ref={ref}
        className="vf-heatmap-canvas"
        style={{ width: m.cols * scale, height: m.rows * scale }}
      />
      <div className="vf-heatmap-caption">
        {`${m.kind} ${m.source_shape.join('×')} → ${m.rows}×${m.cols}, ${formatStat(m.lo)} … ${formatStat(m.hi)}`}
      </div>
    </div>
  );
}

/** A value's statistics, histogram and heatmap (also shown by the debugger). */
export function Stats(props: {
  title: string;
  s: DecodedSummary;
}): JSX.Element {
  const x = props.s.summary;
  const rows: [string, string][] = [
    [
      'shape',
      `(${x.shape.join(', ')}${x.shape.length === 1 ? ',' : ''}) ${x.dtype}`
    ],
    ['min', formatStat(x.min)],
    ['max', formatStat(x.max)],
    ['mean', formatStat(x.mean)],
    ['std', formatStat(x.std)],
    ['NaN', String(x.nan_count)],
    ['Inf', String(x.inf_count)]
  ];
  return (
    <section className="vf-inspector-section" data-stats={props.title}>
      <h4>{props.title}</h4>
      <table className="vf-stats">
        <tbody>
          {rows.map(([k, v]) => (
            <tr key={k} data-stat={k}>
              <th>{k}</th>
              <td
                className={
                  (k === 'NaN' || k === 'Inf') && v !== '0' ? 'vf-bad' : ''
                }
              >
                {v}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Histogram s={props.s} />
      <Heatmap s={props.s} />
      {x.preview ? <pre className="vf-preview">{x.preview}</pre> : null}
    </section>
  );
}

type Values =
  | { state: 'none' }
  | { state: 'loading' }
  | { state: 'error'; message: string }
  | { state: 'done'; reply: InspectedValues };

function NodeDetails(props: {
  model: GraphModel;
  node: GraphNode;
  doc: OpDoc | undefined;
  backend: InspectBackend | null;
}): JSX.Element {
  const { model, node, doc, backend } = props;
  const [values, setValues] = useState<Values>({ state: 'none' });
  const wantsValues = Boolean(node.has_value || node.has_grad);
  useEffect(() => {
    if (!backend || !wantsValues) {
      setValues({ state: 'none' });
      return;
    }
    let current = true; // replies for an older selection are ignored
    setValues({ state: 'loading' });
    backend.inspect(node.id).then(
      reply => {
        if (current) {
          setValues(
            reply.error
              ? { state: 'error', message: reply.error }
              : { state: 'done', reply }
          );
        }
      },
      (err: unknown) => {
        if (current) {
          setValues({ state: 'error', message: String(err) });
        }
      }
    );
    return () => {
      current = false;
    };
  }, [backend, node.id, wantsValues]);

  const inputs = (model.incoming.get(node.id) ?? []).map(e => ({
    key: e.id,
    text: `${e.target_port}: ${formatShapeDtype(e.shape, e.dtype)}`,
    from: model.nodeById.get(e.source)
  }));
  const params = Object.entries(node.params ?? {});
  const src = node.source;
  return (
    <div className="vf-inspector-body" data-inspected={node.id}>
      <h3 className="vf-inspector-title">
        <span className="vf-inspector-op">{node.op}</span>
        {node.name ? (
          <span className="vf-inspector-name">{node.name}</span>
        ) : null}
      </h3>
      <table className="vf-props">
        <tbody>
          <tr>
            <th>output</th>
            <td>{formatShapeDtype(node.shape, node.dtype)}</td>
          </tr>
          <tr>
            <th>category</th>
            <td>{node.category}</td>
          </tr>
          <tr>
            <th>device</th>
            <td>{node.device}</td>
          </tr>
          <tr>
            <th>phase</th>
            <td>{node.phase}</td>
          </tr>
          {node.scope ? (
            <tr>
              <th>scope</th>
              <td>{node.scope}</td>
            </tr>
          ) : null}
          {node.forward_of ? (
            <tr>
              <th>gradient of</th>
              <td>
                {model.nodeById.get(node.forward_of)?.op ?? node.forward_of}
              </td>
            </tr>
          ) : null}
          {src ? (
            <tr>
              <th>source</th>
              <td>
                <button
                  className="vf-link vf-source-link"
                  title={`${src.file}:${src.line}`}
                  onClick={e => labHooks.openSource?.(src, e.currentTarget)}
                >
                  {sourceText(src)}
                </button>
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
      {inputs.length ? (
        <section className="vf-inspector-section">
          <h4>inputs</h4>
          <ul className="vf-inputs">
            {inputs.map(i => (
              <li key={i.key}>
                {i.text}
                {i.from ? ` ← ${i.from.name || i.from.op}` : ''}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {params.length ? (
        <section className="vf-inspector-section">
          <h4>params</h4>
          <table className="vf-props">
            <tbody>
              {params.map(([k, v]) => (
                <tr key={k}>
                  <th>{k}</th>
                  <td>{JSON.stringify(v)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      {doc ? (
        <section className="vf-inspector-section vf-op-doc">
          <h4>formula</h4>
          <code className="vf-formula">{doc.formula}</code>
          <h4>gradient</h4>
          <code className="vf-formula vf-grad-formula">{doc.grad_formula}</code>
          {doc.doc ? <p className="vf-doc">{doc.doc}</p> : null}
        </section>
      ) : null}
      {wantsValues && !backend ? (
        <p className="vf-note vf-no-kernel">values need a running kernel</p>
      ) : null}
      {values.state === 'loading' ? (
        <p className="vf-note">loading values…</p>
      ) : null}
      {values.state === 'error' ? (
        <p className="vf-note vf-bad">{`values unavailable: ${values.message}`}</p>
      ) : null}
      {values.state === 'done' && values.reply.value ? (
        <ValueProvenanceNote reply={values.reply} />
      ) : null}
      {values.state === 'done' && values.reply.value ? (
        <Stats title="value" s={values.reply.value} />
      ) : null}
      {values.state === 'done' && values.reply.grad ? (
        <Stats title="gradient" s={values.reply.grad} />
      ) : null}
    </div>
  );
}

/** When the value shown was taken, and whether the tensor changed since the graph was recorded. */
function ValueProvenanceNote(props: {
  reply: InspectedValues;
}): JSX.Element | null {
  const p = props.reply.provenance;
  const text = provenanceText(p);
  if (!text && !p?.changedSinceRecorded) {
    return null;
  }
  return (
    <div className="vf-value-source" data-source={p?.source ?? ''}>
      {text ? <p className="vf-note">{text}</p> : null}
      {p?.changedSinceRecorded ? (
        <p className="vf-note vf-changed">
          changed since the graph was recorded
        </p>
      ) : null}
    </div>
  );
}

function GroupDetails(props: {
  group: ScopeGroup;
  onExpand: (path: string) => void;
}): JSX.Element {
  const { group, onExpand } = props;
  return (
    <div className="vf-inspector-body" data-inspected-group={group.path}>
      <h3 className="vf-inspector-title">
        <span className="vf-inspector-op">{group.path}</span>
      </h3>
      <table className="vf-props">
        <tbody>
          <tr>
            <th>nodes</th>
            <td>{group.descendants.length}</td>
          </tr>
          <tr>
            <th>ops</th>
            <td>
              {group.opSummary.map(o => `${o.op} ×${o.count}`).join(', ')}
            </td>
          </tr>
          {group.repeatCount > 1 ? (
            <tr>
              <th>repeated</th>
              <td>{`×${group.repeatCount} (same structure)`}</td>
            </tr>
          ) : null}
        </tbody>
      </table>
      <button className="vf-button" onClick={() => onExpand(group.path)}>
        Expand
      </button>
    </div>
  );
}

/** Narrowest inspector, and the least canvas width it leaves when widened. */
const MIN_INSPECTOR_PX = 180;
const MIN_CANVAS_PX = 160;

export function Inspector(props: {
  model: GraphModel;
  opDocs: Record<string, OpDoc> | undefined;
  node: GraphNode | null;
  group: ScopeGroup | null;
  backend: InspectBackend | null;
  onExpand: (path: string) => void;
  onClose: () => void;
  /** Width chosen by dragging the left edge (null: the default width). */
  width: number | null;
  onResize: (width: number) => void;
  /** Folded to a narrow strip, so the canvas gets the room. */
  folded: boolean;
  onFold: (folded: boolean) => void;
}): JSX.Element {
  const ref = useRef<HTMLElement>(null);
  const { onResize, folded } = props;
  const startDrag = (e: React.PointerEvent<HTMLDivElement>): void => {
    const aside = ref.current;
    const pane = aside?.parentElement;
    if (!aside || !pane || folded) {
      return;
    }
    e.preventDefault();
    const handle = e.currentTarget;
    handle.setPointerCapture(e.pointerId);
    const startX = e.clientX;
    const startW = aside.getBoundingClientRect().width;
    const maxW = Math.max(
      MIN_INSPECTOR_PX,
      pane.getBoundingClientRect().width - MIN_CANVAS_PX
    );
    const move = (ev: PointerEvent): void => {
      const w = startW + (startX - ev.clientX);
      onResize(Math.round(Math.min(maxW, Math.max(MIN_INSPECTOR_PX, w))));
    };
    const up = (): void => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', up);
      handle.removeEventListener('pointercancel', up);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', up);
    handle.addEventListener('pointercancel', up);
  };
  const title = props.node
    ? props.node.name || props.node.op
    : (props.group?.name ?? '');
  return (
    <aside
      ref={ref}
      className={`vf-inspector${folded ? ' vf-inspector-folded' : ''}`}
      aria-label="node inspector"
      style={
        props.width !== null && !folded
          ? { flexBasis: `${props.width}px` }
          : undefined
      }
    >
      {folded ? null : (
        <div
          className="vf-inspector-resizer"
          role="separator"
          aria-orientation="vertical"
          aria-label="resize the inspector"
          title="Drag to resize"
          onPointerDown={startDrag}
        />
      )}
      <span className="vf-inspector-buttons">
        <button
          className="vf-inspector-fold"
          title={folded ? 'Show the inspector' : 'Fold the inspector away'}
          aria-expanded={!folded}
          onClick={() => props.onFold(!folded)}
        >
          {folded ? '‹' : '›'}
        </button>
        {folded ? null : (
          <button
            className="vf-inspector-close"
            title="Close (Escape)"
            onClick={props.onClose}
          >
            ×
          </button>
        )}
      </span>
      {folded ? (
        <div className="vf-inspector-strip" onClick={() => props.onFold(false)}>
          {title}
        </div>
      ) : props.node ? (
        <NodeDetails
          model={props.model}
          node={props.node}
          doc={props.opDocs?.[props.node.op]}
          backend={props.backend}
        />
      ) : props.group ? (
        <GroupDetails group={props.group} onExpand={props.onExpand} />
      ) : null}
    </aside>
  );
}
