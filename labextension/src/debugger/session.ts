/**
 * The debugger's core in plain TypeScript (DESIGN Principle 8): the kernel's
 * DebugSessionState read defensively, the words a person reads for it, which
 * controls apply in which state, the marks drawn on the canvas, keyboard
 * shortcuts, and the loss chart's geometry. No React, no widgets.
 */
import type {
  DebugBreakpoint,
  DebugBreakpointRequest,
  DebugCommand,
  DebugHealth,
  DebugSessionPatch,
  DebugSessionState,
  DebugStep
} from '../protocol';
import type { DebugMark } from '../view/OpNode';
import { edgeKey } from '../view/flowElements';

export type Command = DebugCommand['command'];
export type SessionState = DebugSessionState['state'];

const STATES: readonly SessionState[] = [
  'idle',
  'paused',
  'running',
  'finished',
  'failed'
];

/** The `session` trait as sent, or null when it is not a session state. */
export function decodeSession(raw: unknown): DebugSessionState | null {
  if (typeof raw !== 'object' || raw === null) {
    return null;
  }
  const s = raw as Partial<DebugSessionState>;
  if (
    !STATES.includes(s.state as SessionState) ||
    !Array.isArray(s.breakpoints) ||
    typeof s.history !== 'object' ||
    s.history === null ||
    !Array.isArray(s.history.recent) ||
    !Array.isArray(s.stale) ||
    !Array.isArray(s.losses)
  ) {
    return null;
  }
  return {
    ...(s as DebugSessionState),
    current: s.current ?? null,
    grad_partials: s.grad_partials ?? {}
  };
}

/**
 * The session state a reply's patch gives: its recent steps are those `prev` holds from
 * recent_start up to recent_from (the same objects), then the patch's own. Null when `prev`
 * does not hold them (then the whole state is asked for again).
 */
export function applySessionPatch(
  prev: DebugSessionState | null,
  patch: DebugSessionPatch
): DebugSessionState | null {
  const { state, recent_start: start, recent_from: from } = patch;
  let kept: DebugSessionState['history']['recent'] = [];
  if (from > start) {
    if (!prev) {
      return null;
    }
    const h = prev.history;
    const prevStart = h.steps - h.recent.length;
    if (start < prevStart || from > h.steps) {
      return null;
    }
    kept = h.recent.slice(start - prevStart, from - prevStart);
  }
  return decodeSession({
    ...state,
    history: { ...state.history, recent: [...kept, ...state.history.recent] }
  });
}

/** Where a step is, as a person names it: its scope and op ("fc2/matmul"), else its name. */
export function stepPlace(
  step: Pick<DebugStep, 'scope' | 'op' | 'name'>
): string {
  return step.scope ? `${step.scope}/${step.op}` : step.name;
}

/** The one line that says what the session is doing. */
export function stateCue(s: DebugSessionState): string {
  switch (s.state) {
    case 'idle':
      return 'ready: step to run the first node';
    case 'running':
      return s.iteration > 0
        ? `running (iteration ${s.iteration + 1})…`
        : 'running…';
    case 'finished':
      return s.losses.length > 1
        ? `finished ${s.losses.length} iterations`
        : 'finished';
    case 'failed':
      return `failed: ${s.error ?? 'the run raised an error'}`;
    case 'paused': {
      const cur = s.current;
      if (!cur) {
        return 'paused';
      }
      const parts = [`paused at ${stepPlace(cur)}`, cur.phase];
      if (s.losses.length > 0 || cur.iteration > 0) {
        // counted from 1, as the loss chart counts them (the kernel's index is 0-based)
        parts.push(`iteration ${cur.iteration + 1}`);
      }
      const bp = s.breakpoints.find(b => b.id === s.hit);
      if (bp) {
        parts.push(`breakpoint ${breakpointText(bp)}`);
      }
      return parts.join(' · ');
    }
  }
}

/** Whether a control can be used in a state (the kernel refuses the others). */
export function commandEnabled(
  command: Command,
  s: DebugSessionState
): boolean {
  if (s.state === 'running') {
    return command === 'pause';
  }
  if (command === 'pause') {
    return false;
  }
  if (command === 'restart') {
    return s.state !== 'idle' || s.history.steps > 0;
  }
  if (command === 'step_back') {
    return s.state !== 'idle' && s.history.steps > 0;
  }
  // A finished single run only restarts; a training loop with batches left goes on.
  return s.state === 'idle' || s.state === 'paused';
}

/** A value's health in a few words: its non-finite counts, or that it is all zero. */
export function healthNote(h: DebugHealth): string {
  const bad: string[] = [];
  if (h.nan > 0) {
    bad.push(`${h.nan} NaN`);
  }
  const inf = h.posinf + h.neginf;
  if (inf > 0) {
    bad.push(`${inf} Inf`);
  }
  if (bad.length > 0) {
    return bad.join(', ');
  }
  const size = h.shape.reduce((a, b) => a * b, 1);
  return size > 0 && h.zeros === size ? 'all zero' : 'finite';
}

export function conditionText(c: DebugBreakpoint['condition']): string {
  if (!c) {
    return '';
  }
  switch (c.kind) {
    case 'nan':
      return 'on NaN';
    case 'inf':
      return 'on Inf';
    case 'nonfinite':
      return 'on NaN/Inf';
    case 'produces_nonfinite':
      return 'where NaN/Inf first appears';
    case 'grad_above':
      return `when |grad| > ${c.threshold ?? '?'}`;
    case 'predicate':
      return `when ${c.name ?? 'a predicate'}`;
  }
}

/** A breakpoint in words: where, on what, after how many hits. */
export function breakpointText(bp: DebugBreakpoint): string {
  const parts = [bp.where || 'anywhere'];
  const cond = conditionText(bp.condition);
  if (cond) {
    parts.push(cond);
  }
  if (bp.hits !== null) {
    parts.push(`at hit ${bp.hits} (${bp.hit_count} so far)`);
  } else if (bp.hit_count > 0) {
    parts.push(`hit ${bp.hit_count}×`);
  }
  return parts.join(' ');
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** The history's totals: steps taken, values kept against the cap, and their bytes. */
export function historyText(h: DebugSessionState['history']): string {
  return (
    `${h.steps} steps · ${h.values_kept} of at most ${h.max_values} values kept ` +
    `(${formatBytes(h.total_bytes)}); health kept for every step`
  );
}

/** Node names of the session's graph by GraphNode id and back. */
export interface NameIndex {
  idOf: ReadonlyMap<string, string>;
}

const marks = new Map<string, DebugMark>();

/** One object per distinct mark, so that unchanged boxes keep their data (and skip re-rendering). */
function mark(
  state: DebugMark['state'],
  note: string,
  breakpoint: boolean,
  grad: string
): DebugMark {
  const key = `${state ?? ''}|${breakpoint ? 1 : 0}|${note}|${grad}`;
  let m = marks.get(key);
  if (!m) {
    m = grad ? { state, note, breakpoint, grad } : { state, note, breakpoint };
    if (marks.size > MARK_CACHE_MAX) {
      marks.clear();
    }
    marks.set(key, m);
  }
  return m;
}

/** Distinct marks kept for reuse (gradient norms make new ones at every backward step). */
const MARK_CACHE_MAX = 10_000;

/** A gradient norm as the canvas shows it: 3 significant digits, "NaN/Inf" when not finite. */
export function gradText(norm: number | null): string {
  return norm === null ? 'NaN/Inf' : norm.toPrecision(3);
}

/**
 * The canvas marks of a session, by GraphNode id: the node paused at, each node run
 * in this iteration (among the recent steps) with its value's health, stale nodes,
 * nodes with a breakpoint, and each parameter's gradient so far (backward pass).
 */
export function nodeMarks(
  s: DebugSessionState,
  idOf: ReadonlyMap<string, string>
): Map<string, DebugMark> {
  const done = new Map<string, string>();
  if (s.state !== 'idle') {
    for (const step of s.history.recent) {
      done.set(step.name, healthNote(step.health));
    }
  }
  const stale = new Set(s.stale);
  const bps = new Set(
    s.breakpoints.filter(b => b.enabled && b.where).map(b => b.where)
  );
  const cur = s.state === 'paused' ? s.current : null;
  const grads = new Map<string, string>();
  for (const [name, g] of Object.entries(s.grad_partials)) {
    grads.set(name, gradText(g.norm));
  }
  const out = new Map<string, DebugMark>();
  const names = new Set([...done.keys(), ...stale, ...bps, ...grads.keys()]);
  if (cur) {
    names.add(cur.name);
  }
  for (const name of names) {
    const id = (cur && cur.name === name && cur.node_id) || idOf.get(name);
    if (!id) {
      continue;
    }
    const state =
      cur && cur.name === name
        ? 'current'
        : stale.has(name)
          ? 'stale'
          : done.has(name)
            ? 'done'
            : null;
    const note = stale.has(name) ? 'stale' : (done.get(name) ?? '');
    out.set(id, mark(state, note, bps.has(name), grads.get(name) ?? ''));
  }
  return out;
}

/** A note drawn on the edge between two nodes (by name). */
export interface EdgeNote {
  from: string;
  to: string;
  text: string;
}

/**
 * The gradients drawn on edges during the backward pass: each contribution run so far on the
 * edge it flows along into its parameter's sum ("∇ +0.31"), and the sum so far on the edge that
 * carries the whole sum to the node reading it ("∇ Σ 0.52 · 2/3 terms"), which grows as the
 * contributions arrive. A parameter with one contribution has one edge: "∇ 0.31".
 */
export function gradEdgeNotes(s: DebugSessionState): EdgeNote[] {
  const out: EdgeNote[] = [];
  for (const g of Object.values(s.grad_partials)) {
    const sum = g.sum_edge;
    for (const t of g.terms) {
      const isSum = sum !== null && sum.from === t.node && sum.into === t.into;
      if (t.into && !isSum) {
        out.push({ from: t.node, to: t.into, text: `∇ +${gradText(t.norm)}` });
      }
    }
    if (sum) {
      out.push({
        from: sum.from,
        to: sum.into,
        text:
          sum.of > 1
            ? `∇ Σ ${gradText(g.norm)} · ${g.terms.length}/${sum.of} terms`
            : `∇ ${gradText(g.norm)}`
      });
    }
  }
  return out;
}

/** Edge notes by the GraphNode ids of their ends (edgeKey); notes on nodes not in the graph are left out. */
export function edgeNotesById(
  notes: readonly EdgeNote[],
  idOf: ReadonlyMap<string, string>
): Map<string, string> {
  const out = new Map<string, string>();
  for (const n of notes) {
    const from = idOf.get(n.from);
    const to = idOf.get(n.to);
    if (from && to) {
      out.set(edgeKey(from, to), n.text);
    }
  }
  return out;
}

/** Keyboard shortcuts of a focused debugger (Chrome DevTools' keys where it has one). */
export const SHORTCUTS: Readonly<Partial<Record<Command, string>>> = {
  resume: 'F8',
  pause: 'F8',
  step: 'F9',
  step_over: 'F10',
  step_into: 'F11',
  step_back: 'Shift+F9',
  run_to_nan: 'Shift+F8',
  restart: 'Shift+F5'
};

export interface KeyLike {
  key: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
}

/** The command a key press asks for (F8 continues, or pauses while running), else null. */
export function keyCommand(e: KeyLike, state: SessionState): Command | null {
  if (e.ctrlKey || e.altKey || e.metaKey) {
    return null;
  }
  const combo = `${e.shiftKey ? 'Shift+' : ''}${e.key}`;
  if (combo === 'F8') {
    return state === 'running' ? 'pause' : 'resume';
  }
  for (const [command, keys] of Object.entries(SHORTCUTS)) {
    if (keys === combo && command !== 'pause' && command !== 'resume') {
      return command as Command;
    }
  }
  return null;
}

/** Whether a key press is typing (a field, a text area, an editor): shortcuts leave it alone. */
export function isTyping(
  target: {
    tagName?: string;
    isContentEditable?: boolean;
  } | null
): boolean {
  if (!target) {
    return false;
  }
  const tag = (target.tagName ?? '').toUpperCase();
  return (
    tag === 'INPUT' ||
    tag === 'TEXTAREA' ||
    tag === 'SELECT' ||
    target.isContentEditable === true
  );
}

/** SVG polyline points of the losses in a w×h box (non-finite losses break nothing: skipped). */
export function lossPoints(
  losses: readonly (number | null)[],
  w: number,
  h: number
): { points: string; lo: number; hi: number } | null {
  const finite = losses
    .map((v, i) => [i, v] as const)
    .filter(
      (p): p is readonly [number, number] =>
        p[1] !== null && Number.isFinite(p[1])
    );
  if (finite.length === 0) {
    return null;
  }
  const lo = Math.min(...finite.map(p => p[1]));
  const hi = Math.max(...finite.map(p => p[1]));
  const span = hi - lo || 1;
  const last = Math.max(losses.length - 1, 1);
  const points = finite
    .map(([i, v]) => {
      const x = (i / last) * w;
      const y = h - ((v - lo) / span) * h;
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
  return { points, lo, hi };
}

/** Each parameter's gradient so far, largest norm first. */
export function gradRows(
  s: DebugSessionState
): { name: string; norm: number | null; health: DebugHealth }[] {
  return Object.entries(s.grad_partials)
    .map(([name, g]) => ({ name, norm: g.norm, health: g.health }))
    .sort((a, b) => (b.norm ?? Infinity) - (a.norm ?? Infinity));
}

export type ConditionKind =
  NonNullable<DebugBreakpointRequest['condition']>['kind'] | '';

export type BreakpointChange = Omit<
  DebugBreakpointRequest,
  'kind' | 'request_id'
>;

/** The add-breakpoint form's fields as a request (null when a field is not a valid number). */
export function addRequest(
  where: string,
  kind: ConditionKind,
  threshold: string,
  hits: string
): BreakpointChange | null {
  const t = Number(threshold);
  const h = hits.trim() === '' ? null : Number(hits);
  if (
    kind === 'grad_above' &&
    (threshold.trim() === '' || !Number.isFinite(t))
  ) {
    return null;
  }
  if (h !== null && (!Number.isInteger(h) || h < 1)) {
    return null;
  }
  return {
    action: 'add',
    where: where.trim(),
    condition: kind
      ? kind === 'grad_above'
        ? { kind, threshold: t }
        : { kind }
      : null,
    hits: h
  };
}

/** Where a session last paused at a drawn node: its moment (iteration, step, steps taken) and the node's id. */
export interface PausedAt {
  key: string;
  id: string | null;
}

export const NOT_PAUSED: PausedAt = { key: '', id: null };

/** The place last paused at: the session's own when paused at a drawn node, else `prev` (same object when unchanged). */
export function lastPaused(
  prev: PausedAt,
  s: DebugSessionState | null
): PausedAt {
  const cur = s?.state === 'paused' ? s.current : null;
  if (!s || !cur?.node_id) {
    return prev;
  }
  const key = `${cur.iteration}:${cur.index}:${s.history.steps}`;
  return key === prev.key && cur.node_id === prev.id
    ? prev
    : { key, id: cur.node_id };
}

/** A node a person picked to inspect, and the place paused at when they picked it. */
export interface Picked {
  id: string | null;
  at: string;
}

/**
 * The node the inspector shows: the one picked while paused where the session still is,
 * else the node paused at (so a step selects its node in the same render that draws it).
 */
export function inspectedNode(picked: Picked, paused: PausedAt): string | null {
  return picked.at === paused.key || !paused.id ? picked.id : paused.id;
}

/** How many steps back the step at position i of the n taken is (the last is now: 0). */
export function stepsBack(n: number, i: number): number {
  return n - 1 - i;
}
