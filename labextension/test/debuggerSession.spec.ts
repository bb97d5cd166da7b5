/** The debugger's plain-TypeScript core: session decoding, the state cue, which controls apply,
 * canvas marks, keyboard shortcuts, breakpoint requests and the loss chart's geometry. */
import type {
  DebugHealth,
  DebugSessionState,
  DebugStep
} from '../src/protocol';
import {
  addRequest,
  applySessionPatch,
  breakpointText,
  commandEnabled,
  decodeSession,
  edgeNotesById,
  gradEdgeNotes,
  healthNote,
  historyText,
  inspectedNode,
  isTyping,
  keyCommand,
  lastPaused,
  lossPoints,
  nodeMarks,
  NOT_PAUSED,
  stateCue,
  stepsBack
} from '../src/debugger/session';
import { DebuggerFocus, DEBUG_COMMANDS } from '../src/debugger/focus';

const fine: DebugHealth = {
  shape: [2, 3],
  dtype: 'float32',
  nan: 0,
  posinf: 0,
  neginf: 0,
  zeros: 0
};

function step(name: string, over: Partial<DebugStep> = {}): DebugStep {
  return {
    index: 0,
    iteration: 0,
    name,
    node_id: `n_${name}`,
    op: 'matmul',
    phase: 'forward',
    scope: '',
    source: null,
    forward_of: null,
    forward_source: null,
    output: fine,
    ...over
  };
}

function session(over: Partial<DebugSessionState> = {}): DebugSessionState {
  return {
    state: 'idle',
    current: null,
    breakpoints: [],
    history: {
      steps: 0,
      values_kept: 0,
      total_bytes: 0,
      max_values: 1000,
      recent: []
    },
    stale: [],
    iteration: 0,
    losses: [],
    hit: null,
    error: null,
    grad_partials: {},
    ...over
  };
}

function recent(...names: string[]): DebugSessionState['history'] {
  return {
    steps: names.length,
    values_kept: names.length,
    total_bytes: 24 * names.length,
    max_values: 1000,
    recent: names.map((name, index) => ({
      index,
      name,
      op: 'add',
      phase: 'forward',
      health: name === 'bad' ? { ...fine, nan: 2 } : fine,
      time_us: 3,
      has_value: true
    }))
  };
}

describe('decodeSession', () => {
  it('accepts the kernel state and refuses anything else', () => {
    expect(decodeSession(session())?.state).toBe('idle');
    expect(decodeSession(null)).toBeNull();
    expect(decodeSession({ ...session(), state: 'exploded' })).toBeNull();
    expect(decodeSession({ ...session(), history: null })).toBeNull();
  });

  it('fills grad_partials that an older kernel does not send', () => {
    const raw: Record<string, unknown> = { ...session() };
    delete raw.grad_partials;
    expect(decodeSession(raw)?.grad_partials).toEqual({});
  });
});

describe('stateCue', () => {
  it('names the node paused at by scope and op, its phase and the breakpoint that fired', () => {
    const s = session({
      state: 'paused',
      current: step('matmul_3', { scope: 'fc2', phase: 'backward' }),
      breakpoints: [
        {
          id: 4,
          where: 'fc2',
          condition: { kind: 'nan' },
          hits: null,
          hit_count: 1,
          enabled: true
        }
      ],
      hit: 4
    });
    expect(stateCue(s)).toBe(
      'paused at fc2/matmul · backward · breakpoint fc2 on NaN hit 1×'
    );
  });

  it('says running, finished and failed with the error', () => {
    expect(stateCue(session({ state: 'running' }))).toBe('running…');
    expect(stateCue(session({ state: 'finished' }))).toBe('finished');
    expect(
      stateCue(session({ state: 'failed', error: 'ValueError: shapes' }))
    ).toBe('failed: ValueError: shapes');
  });

  it('gives the iteration in training-loop mode, counted from 1 as the loss chart', () => {
    const s = session({
      state: 'paused',
      current: step('loss', { iteration: 3 }),
      losses: [1, 0.5, 0.25]
    });
    expect(stateCue(s)).toBe('paused at loss · forward · iteration 4');
  });
});

describe('commandEnabled', () => {
  it('lets only Pause act while running', () => {
    const s = session({ state: 'running' });
    expect(commandEnabled('pause', s)).toBe(true);
    expect(commandEnabled('step', s)).toBe(false);
    expect(commandEnabled('step_iteration', s)).toBe(false);
    expect(commandEnabled('step_back', s)).toBe(false);
  });

  it('cannot step back before the first step, nor pause what is not running', () => {
    const idle = session();
    expect(commandEnabled('step', idle)).toBe(true);
    expect(commandEnabled('step_iteration', idle)).toBe(true);
    expect(commandEnabled('step_back', idle)).toBe(false);
    expect(commandEnabled('pause', idle)).toBe(false);
    const paused = session({
      state: 'paused',
      current: step('a'),
      history: recent('a')
    });
    expect(commandEnabled('step_back', paused)).toBe(true);
    expect(commandEnabled('restart', paused)).toBe(true);
  });

  it('only restarts or steps back once finished', () => {
    const done = session({ state: 'finished', history: recent('a', 'b') });
    expect(commandEnabled('step', done)).toBe(false);
    expect(commandEnabled('resume', done)).toBe(false);
    expect(commandEnabled('restart', done)).toBe(true);
    expect(commandEnabled('step_back', done)).toBe(true);
  });
});

describe('nodeMarks', () => {
  const idOf = new Map([
    ['a', 'n_a'],
    ['bad', 'n_bad'],
    ['c', 'n_c'],
    ['d', 'n_d']
  ]);

  it('marks the node paused at, nodes run with their health, stale nodes and breakpoints', () => {
    const s = session({
      state: 'paused',
      current: step('c'),
      history: recent('a', 'bad', 'c'),
      stale: ['a'],
      breakpoints: [
        {
          id: 1,
          where: 'd',
          condition: null,
          hits: null,
          hit_count: 0,
          enabled: true
        },
        {
          id: 2,
          where: 'bad',
          condition: null,
          hits: null,
          hit_count: 0,
          enabled: false
        }
      ]
    });
    const m = nodeMarks(s, idOf);
    expect(m.get('n_c')).toEqual({
      state: 'current',
      note: 'finite',
      breakpoint: false
    });
    expect(m.get('n_bad')).toEqual({
      state: 'done',
      note: '2 NaN',
      breakpoint: false
    });
    expect(m.get('n_a')).toEqual({
      state: 'stale',
      note: 'stale',
      breakpoint: false
    });
    expect(m.get('n_d')).toEqual({ state: null, note: '', breakpoint: true });
  });

  it('hands back the same mark object for the same mark (boxes skip re-rendering)', () => {
    const s = session({
      state: 'paused',
      current: step('c'),
      history: recent('a', 'c')
    });
    const first = nodeMarks(s, idOf).get('n_a');
    const again = nodeMarks({ ...s, history: recent('a', 'c', 'd') }, idOf).get(
      'n_a'
    );
    expect(first).toBeDefined();
    expect(again).toBe(first);
  });

  it("puts each parameter's gradient so far on its node, a new mark as it grows", () => {
    const idOfW = new Map([...idOf, ['w', 'n_w']]);
    const at = (norm: number | null): DebugSessionState =>
      session({
        state: 'paused',
        current: step('c', { phase: 'backward' }),
        history: recent('a', 'c'),
        grad_partials: { w: { norm, health: fine, terms: [], sum_edge: null } }
      });
    const first = nodeMarks(at(0.3125), idOfW).get('n_w');
    expect(first).toEqual({
      state: null,
      note: '',
      breakpoint: false,
      grad: '0.313'
    });
    const grown = nodeMarks(at(0.52), idOfW).get('n_w');
    expect(grown?.grad).toBe('0.520');
    expect(grown).not.toBe(first);
    expect(nodeMarks(at(null), idOfW).get('n_w')?.grad).toBe('NaN/Inf');
    // Nodes run keep their own note beside no gradient.
    expect(nodeMarks(at(0.52), idOfW).get('n_a')).toEqual({
      state: 'done',
      note: 'finite',
      breakpoint: false
    });
  });

  it('marks nothing before the first step', () => {
    expect(nodeMarks(session({ history: recent('a') }), idOf).size).toBe(0);
  });
});

describe('gradEdgeNotes', () => {
  // w's gradient: two terms summed by add_g, which the update sgd_w reads; b's: one term.
  const partials = (
    wTerms: { node: string; into: string | null; norm: number | null }[],
    wNorm: number | null
  ): DebugSessionState =>
    session({
      state: 'paused',
      current: step('c', { phase: 'backward' }),
      grad_partials: {
        w: {
          norm: wNorm,
          health: fine,
          terms: wTerms,
          sum_edge: { from: 'add_g', into: 'sgd_w', of: 2 }
        },
        b: {
          norm: 0.25,
          health: fine,
          terms: [{ node: 'db', into: 'sgd_b', norm: 0.25 }],
          sum_edge: { from: 'db', into: 'sgd_b', of: 1 }
        }
      }
    });

  it('puts each contribution on the edge into the sum, and the sum so far on the edge to its reader', () => {
    const one = gradEdgeNotes(
      partials([{ node: 'dw1', into: 'add_g', norm: 0.3125 }], 0.3125)
    );
    expect(one).toEqual([
      { from: 'dw1', to: 'add_g', text: '∇ +0.313' },
      { from: 'add_g', to: 'sgd_w', text: '∇ Σ 0.313 · 1/2 terms' },
      { from: 'db', to: 'sgd_b', text: '∇ 0.250' }
    ]);
    // The second term arrives: its own edge, and the sum's note grows.
    const two = gradEdgeNotes(
      partials(
        [
          { node: 'dw1', into: 'add_g', norm: 0.3125 },
          { node: 'dw2', into: 'add_g', norm: null }
        ],
        null
      )
    );
    expect(two).toContainEqual({
      from: 'dw2',
      to: 'add_g',
      text: '∇ +NaN/Inf'
    });
    expect(two).toContainEqual({
      from: 'add_g',
      to: 'sgd_w',
      text: '∇ Σ NaN/Inf · 2/2 terms'
    });
  });

  it('leaves out a term no node reads (a .grad store), and notes on nodes not in the graph', () => {
    const s = session({
      state: 'paused',
      grad_partials: {
        w: {
          norm: 1,
          health: fine,
          terms: [{ node: 'dw', into: null, norm: 1 }],
          sum_edge: null
        }
      }
    });
    expect(gradEdgeNotes(s)).toEqual([]);
    const byId = edgeNotesById(
      [
        { from: 'a', to: 'b', text: '∇ +1.00' },
        { from: 'a', to: 'gone', text: '∇ +2.00' }
      ],
      new Map([
        ['a', 'n_a'],
        ['b', 'n_b']
      ])
    );
    expect([...byId.values()]).toEqual(['∇ +1.00']);
  });
});

describe('healthNote and historyText', () => {
  it('counts non-finite values, or says all zero', () => {
    expect(healthNote({ ...fine, nan: 1, posinf: 2, neginf: 1 })).toBe(
      '1 NaN, 3 Inf'
    );
    expect(healthNote({ ...fine, zeros: 6 })).toBe('all zero');
    expect(healthNote(fine)).toBe('finite');
  });

  it('gives the history cap and its bytes', () => {
    expect(
      historyText({
        ...recent('a'),
        total_bytes: 2048,
        steps: 1500,
        values_kept: 1000
      })
    ).toBe(
      '1500 steps · 1000 of at most 1000 values kept (2.0 KB); health kept for every step'
    );
  });
});

describe('keyboard', () => {
  const key = (k: string, shift = false) => ({
    key: k,
    shiftKey: shift,
    ctrlKey: false,
    altKey: false,
    metaKey: false
  });

  it('maps the debugger keys, F8 pausing while running', () => {
    expect(keyCommand(key('F10'), 'paused')).toBe('step_over');
    expect(keyCommand(key('F11'), 'paused')).toBe('step_into');
    expect(keyCommand(key('F9'), 'paused')).toBe('step');
    expect(keyCommand(key('F9', true), 'paused')).toBe('step_back');
    expect(keyCommand(key('F8'), 'paused')).toBe('resume');
    expect(keyCommand(key('F8'), 'running')).toBe('pause');
    expect(keyCommand(key('F8', true), 'paused')).toBe('run_to_nan');
    expect(keyCommand(key('F5', true), 'paused')).toBe('restart');
    expect(keyCommand(key('a'), 'paused')).toBeNull();
    expect(keyCommand({ ...key('F10'), ctrlKey: true }, 'paused')).toBeNull();
  });

  it('leaves keys typed in a field alone', () => {
    expect(isTyping({ tagName: 'input' })).toBe(true);
    expect(isTyping({ tagName: 'TEXTAREA' })).toBe(true);
    expect(isTyping({ tagName: 'DIV', isContentEditable: true })).toBe(true);
    expect(isTyping({ tagName: 'DIV' })).toBe(false);
    expect(isTyping(null)).toBe(false);
  });
});

describe('breakpoint requests and text', () => {
  it('builds add requests from the form and refuses bad numbers', () => {
    expect(addRequest(' fc2 ', 'nan', '', '')).toEqual({
      action: 'add',
      where: 'fc2',
      condition: { kind: 'nan' },
      hits: null
    });
    expect(addRequest('', 'grad_above', '10', '3')).toEqual({
      action: 'add',
      where: '',
      condition: { kind: 'grad_above', threshold: 10 },
      hits: 3
    });
    expect(addRequest('x', '', '', '')?.condition).toBeNull();
    expect(addRequest('x', 'grad_above', 'big', '')).toBeNull();
    expect(addRequest('x', 'grad_above', '', '')).toBeNull();
    expect(addRequest('x', '', '', '0')).toBeNull();
    expect(addRequest('x', '', '', '1.5')).toBeNull();
  });

  it('says where, on what and at which hit', () => {
    expect(
      breakpointText({
        id: 1,
        where: '',
        condition: { kind: 'grad_above', threshold: 5 },
        hits: 3,
        hit_count: 1,
        enabled: true
      })
    ).toBe('anywhere when |grad| > 5 at hit 3 (1 so far)');
  });
});

describe('timeline and loss chart', () => {
  it('counts steps back from the latest', () => {
    expect(stepsBack(5, 4)).toBe(0);
    expect(stepsBack(5, 1)).toBe(3);
  });

  it('scales finite losses into the box and skips NaN ones', () => {
    const geo = lossPoints([2, null, 1, 0], 100, 10);
    expect(geo).toEqual({
      points: '0.0,0.0 66.7,5.0 100.0,10.0',
      lo: 0,
      hi: 2
    });
    expect(lossPoints([null], 100, 10)).toBeNull();
  });
});

describe('DebuggerFocus', () => {
  it('runs commands on the debugger focused last, and none once it is gone', () => {
    const focus = new DebuggerFocus();
    const ran: string[] = [];
    const a = { run: (c: string) => ran.push(`a:${c}`) };
    const b = { run: (c: string) => ran.push(`b:${c}`) };
    expect(focus.run('step')).toBe(false);
    focus.focus(a);
    focus.focus(b);
    expect(focus.run('step_over')).toBe(true);
    focus.forget(a);
    expect(focus.run('pause')).toBe(true);
    focus.forget(b);
    expect(focus.run('step')).toBe(false);
    expect(ran).toEqual(['b:step_over', 'b:pause']);
    expect(new Set(DEBUG_COMMANDS.map(c => c.command)).size).toBe(
      DEBUG_COMMANDS.length
    );
  });
});

describe('the node inspected', () => {
  const at = (name: string, steps: number): DebugSessionState =>
    session({
      state: 'paused',
      current: step(name, { index: steps - 1 }),
      history: { ...recent(name), steps }
    });

  it('follows the node paused at, step by step, and keeps it while running or finished', () => {
    const p1 = lastPaused(NOT_PAUSED, at('mul', 1));
    expect(p1).toEqual({ key: '0:0:1', id: 'n_mul' });
    expect(lastPaused(p1, at('mul', 1))).toBe(p1); // the same place: the same object
    const p2 = lastPaused(p1, at('add', 2));
    expect(p2).toEqual({ key: '0:1:2', id: 'n_add' });
    expect(lastPaused(p2, session({ state: 'running' }))).toBe(p2);
    expect(lastPaused(p2, session({ state: 'finished' }))).toBe(p2);
    expect(lastPaused(p2, null)).toBe(p2);
    // Paused at a node the graph does not draw: the last drawn one stays.
    const hidden = at('x', 3);
    hidden.current = { ...hidden.current!, node_id: null };
    expect(lastPaused(p2, hidden)).toBe(p2);
  });

  it('shows a picked node until the session moves on, then the node paused at', () => {
    const p1 = lastPaused(NOT_PAUSED, at('mul', 1));
    expect(inspectedNode({ id: null, at: '' }, NOT_PAUSED)).toBeNull();
    expect(inspectedNode({ id: 'n_x', at: '' }, NOT_PAUSED)).toBe('n_x');
    expect(inspectedNode({ id: 'n_x', at: '' }, p1)).toBe('n_mul');
    const picked = { id: 'n_x', at: p1.key };
    expect(inspectedNode(picked, p1)).toBe('n_x');
    // A what-if or a breakpoint change re-sends the state at the same place: the pick stays.
    expect(inspectedNode(picked, lastPaused(p1, at('mul', 1)))).toBe('n_x');
    expect(inspectedNode(picked, lastPaused(p1, at('add', 2)))).toBe('n_add');
  });
});

describe('applySessionPatch', () => {
  // The kernel's timeline: steps a, b, c, d (positions 0..3), the last 3 sent.
  const prev = session({
    state: 'paused',
    current: step('d'),
    history: {
      ...recent('a', 'b', 'c', 'd'),
      recent: recent('a', 'b', 'c', 'd').recent.slice(1)
    }
  });

  it('keeps the steps the browser holds (the same objects) and appends the new ones', () => {
    const next = recent('a', 'b', 'c', 'd', 'e');
    const patched = applySessionPatch(prev, {
      state: session({
        state: 'paused',
        current: step('e'),
        history: { ...next, recent: next.recent.slice(4) }
      }),
      recent_start: 2,
      recent_from: 4
    });
    expect(patched?.history.recent.map(r => r.name)).toEqual(['c', 'd', 'e']);
    expect(patched?.history.recent[0]).toBe(prev.history.recent[1]);
    expect(patched?.current?.name).toBe('e');
  });

  it('takes a step back (fewer steps) and a whole new timeline', () => {
    const back = recent('a', 'b', 'c');
    const patched = applySessionPatch(prev, {
      state: session({
        state: 'paused',
        history: { ...back, recent: [] }
      }),
      recent_start: 1,
      recent_from: 3
    });
    expect(patched?.history.recent.map(r => r.name)).toEqual(['b', 'c']);
    const fresh = applySessionPatch(null, {
      state: session({ history: recent('x') }),
      recent_start: 0,
      recent_from: 0
    });
    expect(fresh?.history.recent.map(r => r.name)).toEqual(['x']);
  });

  it('refuses a patch that builds on steps this state does not hold', () => {
    const state = session({
      history: { ...recent('a', 'b', 'c', 'd', 'e'), recent: [] }
    });
    expect(
      applySessionPatch(prev, { state, recent_start: 0, recent_from: 5 })
    ).toBeNull(); // position 0 was never sent
    expect(
      applySessionPatch(prev, { state, recent_start: 2, recent_from: 5 })
    ).toBeNull(); // position 4 is newer than the state held
    expect(
      applySessionPatch(null, { state, recent_start: 2, recent_from: 3 })
    ).toBeNull();
  });
});
