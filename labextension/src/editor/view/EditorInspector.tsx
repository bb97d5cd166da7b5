/**
 * The editor's inspector for the selected node or group: its name, its params
 * (each validated by the kernel as it is typed; a burst of typing is one undo
 * step), its error, its value after a run, for a placeholder where its
 * value comes from when the graph runs, and for a variable or constant
 * holding an array that array (a small constant's values editable).
 */
import React, { useEffect, useRef, useState } from 'react';
import type {
  EditorHeldArray,
  EditorInputSource,
  EditorParamSpec
} from '../../protocol';
import { setParam, type EditorCommand } from '../model/commands';
import type { EditorGroup, EditorNode } from '../model/document';
import {
  heldValuesText,
  paramText,
  parseHeldValues,
  parseParam
} from '../model/params';
import { nodeMessage, STATE_TEXT } from '../model/validity';

/** Typing pauses this long before the edit is sent. */
const TYPING_MS = 250;

/** A text field that sends its value while typing (debounced) and ends the burst on blur. */
function Field(props: {
  label: string;
  value: string;
  onEdit: (text: string) => string | null;
  onBlur: () => void;
  testId: string;
}): JSX.Element {
  const [text, setText] = useState(props.value);
  const [error, setError] = useState<string | null>(null);
  const focused = useRef(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    if (!focused.current) {
      setText(props.value);
    }
  }, [props.value]);
  const flush = (t: string): void => {
    if (timer.current) {
      clearTimeout(timer.current);
      timer.current = null;
    }
    if (t !== props.value) {
      setError(props.onEdit(t));
    }
  };
  return (
    <label className="vf-edit-field" data-field={props.testId}>
      <span>{props.label}</span>
      <input
        value={text}
        spellCheck={false}
        aria-invalid={error !== null}
        onFocus={() => (focused.current = true)}
        onChange={e => {
          const t = e.target.value;
          setText(t);
          if (timer.current) {
            clearTimeout(timer.current);
          }
          timer.current = setTimeout(() => flush(t), TYPING_MS);
        }}
        onKeyDown={e => {
          if (e.key === 'Enter') {
            flush(text);
          }
        }}
        onBlur={() => {
          focused.current = false;
          flush(text);
          props.onBlur();
        }}
      />
      {error ? <span className="vf-edit-field-error">{error}</span> : null}
    </label>
  );
}

export function NodeInspector(props: {
  node: EditorNode;
  specs: EditorParamSpec[];
  feed: EditorInputSource | null;
  onFeed: (source: EditorInputSource) => void;
  apply: (commands: EditorCommand[]) => void;
  sealBurst: () => void;
  onRunHere: () => void;
}): JSX.Element {
  const { node, specs, apply } = props;
  const message = nodeMessage(node);
  const names = new Set(specs.map(s => s.name));
  // params the node has but the palette does not declare still show
  const all: EditorParamSpec[] = [
    // a held array's shape, dtype and values are the array's, shown below it
    ...(node.held
      ? specs.filter(s => s.name in node.params && s.name !== 'init')
      : specs),
    ...Object.keys(node.params)
      .filter(k => !names.has(k))
      .map(k => ({
        name: k,
        type: 'any',
        default: null as unknown as EditorParamSpec['default'],
        choices: null,
        required: false
      }))
  ];
  return (
    <div className="vf-edit-inspector" data-node-id={node.id}>
      <div className="vf-edit-inspector-title">
        <span className="vf-edit-node-op">{node.op ?? node.kind}</span>
        <span className={`vf-edit-badge vf-edit-state-${node.state}`}>
          {STATE_TEXT[node.state]}
        </span>
      </div>
      <Field
        key={`${node.id}:name`}
        label="name"
        testId="name"
        value={node.name}
        onEdit={t => {
          if (!t.trim()) {
            return 'a name cannot be empty';
          }
          apply([{ cmd: 'rename', node: node.id, name: t.trim() }]);
          return null;
        }}
        onBlur={props.sealBurst}
      />
      {all.map(s => (
        <Field
          key={`${node.id}:${s.name}`}
          label={s.required ? `${s.name} *` : s.name}
          testId={`param-${s.name}`}
          value={paramText(node.params[s.name])}
          onEdit={t => {
            const parsed = parseParam(t, s.type);
            if (!parsed.ok) {
              return parsed.error;
            }
            if (
              s.choices &&
              parsed.value !== null &&
              !s.choices.includes(parsed.value)
            ) {
              return `one of ${s.choices.map(c => String(c)).join(', ')}`;
            }
            apply([setParam(node.id, s.name, parsed.value)]);
            return null;
          }}
          onBlur={props.sealBurst}
        />
      ))}
      {message ? (
        <div className="vf-edit-error vf-edit-inspector-error">{message}</div>
      ) : null}
      {node.kind === 'placeholder' ? (
        <FeedField feed={props.feed} onFeed={props.onFeed} />
      ) : null}
      {node.held ? (
        <HeldArray
          key={node.id}
          held={node.held}
          editable={node.kind === 'constant'}
          onEdit={values => apply([setParam(node.id, 'value', values)])}
          onBlur={props.sealBurst}
        />
      ) : null}
      {node.value ? (
        <pre className="vf-edit-value-full" data-value="true">
          {node.value.preview}
        </pre>
      ) : null}
      <button className="vf-edit-run-here" onClick={props.onRunHere}>
        Run to here
      </button>
    </div>
  );
}

/**
 * The array a variable or constant holds: its dtype, shape and statistics,
 * and its values: a field to edit (a constant of at most 100 values), else a
 * read-only preview.
 */
function HeldArray(props: {
  held: EditorHeldArray;
  editable: boolean;
  onEdit: (values: unknown) => void;
  onBlur: () => void;
}): JSX.Element {
  const { summary, values } = props.held;
  const stats = (['min', 'max', 'mean'] as const)
    .filter(k => summary[k] !== null)
    .map(k => `${k} ${Number(summary[k]).toPrecision(4)}`)
    .join(' · ');
  const count = summary.shape.reduce((a, b) => a * b, 1);
  return (
    <div className="vf-edit-held" data-held="true">
      <div className="vf-edit-held-type">
        <span data-held-dtype="true">{summary.dtype}</span>
        <span data-held-shape="true">{paramText(summary.shape)}</span>
      </div>
      {stats ? <div className="vf-edit-held-stats">{stats}</div> : null}
      {props.editable && values !== null ? (
        <Field
          label="values"
          testId="held-values"
          value={heldValuesText(values)}
          onEdit={t => {
            const parsed = parseHeldValues(t, summary.shape, summary.dtype);
            if (!parsed.ok) {
              return parsed.error;
            }
            props.onEdit(parsed.value);
            return null;
          }}
          onBlur={props.onBlur}
        />
      ) : (
        <>
          <pre className="vf-edit-value-full" data-held-preview="true">
            {summary.preview}
          </pre>
          <div className="vf-edit-held-note">
            {props.editable
              ? `${count.toLocaleString()} values: read-only here (set a new array from Python)`
              : 'its values: read-only here'}
          </div>
        </>
      )}
    </div>
  );
}

/** Where a placeholder's value comes from: random of its shape, or a kernel variable. */
function FeedField(props: {
  feed: EditorInputSource | null;
  onFeed: (s: EditorInputSource) => void;
}): JSX.Element {
  const fromKernel =
    props.feed && 'from_kernel' in props.feed ? props.feed.from_kernel : null;
  const [name, setName] = useState(fromKernel ?? '');
  return (
    <fieldset className="vf-edit-feed">
      <legend>value when run</legend>
      <label>
        <input
          type="radio"
          checked={fromKernel === null}
          onChange={() => props.onFeed({ random: true })}
        />
        random of its shape
      </label>
      <label>
        <input
          type="radio"
          checked={fromKernel !== null}
          onChange={() => props.onFeed({ from_kernel: name || 'x' })}
        />
        kernel variable
        <input
          className="vf-edit-feed-name"
          value={name}
          placeholder="x_train"
          aria-label="kernel variable name"
          onChange={e => {
            setName(e.target.value);
            props.onFeed({ from_kernel: e.target.value });
          }}
        />
      </label>
    </fieldset>
  );
}

export function GroupInspector(props: {
  group: EditorGroup;
  members: number;
  apply: (commands: EditorCommand[]) => void;
  sealBurst: () => void;
}): JSX.Element {
  const { group } = props;
  return (
    <div className="vf-edit-inspector" data-group-id={group.id}>
      <div className="vf-edit-inspector-title">
        <span className="vf-edit-node-op">{`group · ${group.type}`}</span>
        <span>{`${props.members} nodes`}</span>
      </div>
      <Field
        key={`${group.id}:name`}
        label="name"
        testId="group-name"
        value={group.name}
        onEdit={t => {
          if (!t.trim()) {
            return 'a name cannot be empty';
          }
          props.apply([
            { cmd: 'rename_group', group: group.id, name: t.trim() }
          ]);
          return null;
        }}
        onBlur={props.sealBurst}
      />
    </div>
  );
}
