/**
 * The debugger's canvas layer in plain TypeScript: marks moved onto the items drawn (a node in a
 * collapsed group marks the group as paused inside), gradient notes on the edges drawn, boxes
 * kept measured across steps, the view moving only when the followed node is not well in view,
 * one render per command (RenderGate) and values shown without a loading render.
 */
import { buildGraphModel } from '../src/model/graphModel';
import { buildScopeTree } from '../src/model/scopeTree';
import { buildVisibleGraph } from '../src/model/visibleGraph';
import type { LayoutResult } from '../src/layout/messages';
import type { DecodedReply } from '../src/model/inspect';
import {
  edgeKey,
  flowElements,
  newFlowReuse,
  shownEdgeNotes,
  visibleEdgeIndex,
  type Decorations
} from '../src/view/flowElements';
import { shownDebugMarks } from '../src/view/debugMarks';
import { followViewport, wellInside } from '../src/view/follow';
import type { DebugMark } from '../src/view/OpNode';
import { RenderGate } from '../src/debugger/renderGate';
import { shownValues, type Fetched } from '../src/debugger/useValues';
import { smallGraph } from './fixtures';

const model = buildGraphModel(smallGraph());
const vg = buildVisibleGraph(model, buildScopeTree(model), new Set());
const layout: LayoutResult = {
  nodes: vg.items.map((item, i) => ({
    id: item.id,
    x: i * 100,
    y: 0,
    width: 80,
    height: 40,
    ports: [
      { id: 'in0', x: 0, y: 20 },
      { id: 'out', x: 80, y: 20 }
    ]
  })),
  width: 1000,
  height: 40
};

function deco(over: Partial<Decorations> = {}): Decorations {
  return {
    selected: null,
    linked: new Set<string>(),
    overlay: new Map<string, string>(),
    onExpand: () => undefined,
    onCollapse: () => undefined,
    ...over
  };
}

const current: DebugMark = { state: 'current', note: '', breakpoint: false };
const done: DebugMark = { state: 'done', note: 'finite', breakpoint: false };

describe('shownDebugMarks', () => {
  it('marks a collapsed group as paused inside at its hidden node; other hidden marks are left out', () => {
    const repOf = new Map([
      ['a', 'a'],
      ['b', 'group:g'],
      ['c', 'group:g']
    ]);
    const marks = new Map([
      ['a', done],
      ['b', done],
      ['c', current]
    ]);
    const shown = shownDebugMarks(marks, repOf, id => `name_${id}`);
    expect(shown?.get('a')).toBe(done);
    expect(shown?.get('group:g')).toEqual({
      ...current,
      inside: { id: 'c', name: 'name_c' }
    });
    expect(shown?.has('b')).toBe(false);
    expect(shownDebugMarks(undefined, repOf, id => id)).toBeUndefined();
  });
});

describe('wellInside', () => {
  const box = { x: 100, y: 100, width: 80, height: 40 };
  it('is true only inside the margin of the viewport, at its zoom and pan', () => {
    expect(wellInside(box, { x: 0, y: 0, zoom: 1 }, 400, 300)).toBe(true);
    expect(wellInside(box, { x: 0, y: 0, zoom: 1 }, 190, 300)).toBe(false);
    expect(wellInside(box, { x: -90, y: 0, zoom: 1 }, 400, 300)).toBe(false);
    expect(wellInside(box, { x: 0, y: 0, zoom: 2 }, 400, 300)).toBe(false);
    expect(wellInside(box, { x: 0, y: 0, zoom: 1 }, 0, 0)).toBe(false);
  });
});

describe('a node followed under the minimap', () => {
  const map = { x: 300, y: 200, width: 100, height: 100 }; // the canvas's bottom-right corner
  const vp = { x: 0, y: 0, zoom: 1 };
  it('is not well inside where the minimap covers it', () => {
    const under = { x: 290, y: 180, width: 40, height: 40 };
    expect(wellInside(under, vp, 400, 300)).toBe(true);
    expect(wellInside(under, vp, 400, 300, 0.1, map)).toBe(false);
  });

  it('is centred, not left under the minimap', () => {
    // Inside the margins but under the map: following alone would leave it there.
    const under = { x: 290, y: 180, width: 40, height: 40 };
    expect(followViewport(under, vp, 400, 300)).toEqual(vp);
    expect(followViewport(under, vp, 400, 300, 0.1, map)).toBeNull();
    // One that left by the bottom comes in at the top, clear of the map: followed as before.
    const below = { x: 310, y: 290, width: 40, height: 40 };
    expect(followViewport(below, vp, 400, 300, 0.1, map)).toEqual({
      x: 0,
      y: -260,
      zoom: 1
    });
  });
});

describe('followViewport', () => {
  const vp = { x: 0, y: 0, zoom: 1 };
  it('brings a box that left by one side in at the margin of the other, at the same zoom', () => {
    // Left by the right edge (canvas 400 wide, margin 40): it goes to the left margin.
    const right = { x: 380, y: 100, width: 80, height: 40 };
    expect(followViewport(right, vp, 400, 300)).toEqual({
      x: -340,
      y: 0,
      zoom: 1
    });
    // Left by the top: it goes to the bottom margin.
    const up = { x: 100, y: -30, width: 80, height: 40 };
    expect(followViewport(up, vp, 400, 300)).toEqual({ x: 0, y: 260, zoom: 1 });
  });

  it('leaves a far box or one too big for the margins to centring', () => {
    expect(
      followViewport({ x: 5000, y: 0, width: 80, height: 40 }, vp, 400, 300)
    ).toBeNull();
    expect(
      followViewport({ x: 380, y: 0, width: 380, height: 40 }, vp, 400, 300)
    ).toBeNull();
  });
});

describe('edge notes', () => {
  const e = model.edges[0];
  const notes = new Map([[edgeKey(e.source, e.target), '∇ +0.31']]);
  const index = visibleEdgeIndex(vg);

  it('are moved onto the visible edge drawing the model edge', () => {
    const shown = shownEdgeNotes(notes, model.edges, index);
    expect([...(shown ?? new Map()).entries()]).toEqual([
      [index.get(e.id), '∇ +0.31']
    ]);
    expect(shownEdgeNotes(new Map(), model.edges, index)).toBeUndefined();
  });

  it('label their edge in place of its shape, and a note that grows changes only that edge', () => {
    const reuse = newFlowReuse();
    const id = index.get(e.id) as string;
    const plain = flowElements(
      vg,
      layout,
      'RIGHT',
      model.outputs,
      deco(),
      reuse
    );
    const noted = (text: string): ReturnType<typeof flowElements> =>
      flowElements(
        vg,
        layout,
        'RIGHT',
        model.outputs,
        deco({ edgeNotes: new Map([[id, text]]) }),
        reuse
      );
    const a = noted('∇ Σ 0.31 · 1/2 terms');
    const edgeA = a.edges.find(x => x.id === id);
    expect(edgeA?.label).toBe('∇ Σ 0.31 · 1/2 terms');
    expect(edgeA?.className).toContain('vf-edge-note');
    const b = noted('∇ Σ 0.52 · 2/2 terms');
    expect(b.edges.find(x => x.id === id)?.label).toBe('∇ Σ 0.52 · 2/2 terms');
    const others = (r: ReturnType<typeof flowElements>) =>
      r.edges.filter(x => x.id !== id);
    expect(others(b)).toEqual(others(a));
    others(b).forEach((x, i) => expect(x).toBe(others(plain)[i]));
  });
});

describe('flowElements keeps boxes measured', () => {
  it('says a box is measured when only its mark changed, so its handles are not measured again', () => {
    const reuse = newFlowReuse();
    const id = vg.items[0].id;
    flowElements(vg, layout, 'RIGHT', model.outputs, deco(), reuse);
    const marked = flowElements(
      vg,
      layout,
      'RIGHT',
      model.outputs,
      deco({ debug: new Map([[id, current]]) }),
      reuse
    ).nodes.find(n => n.id === id);
    expect(marked?.measured).toEqual({ width: 80, height: 40 });
    // A new layout with other ports: React Flow measures it again.
    const moved: LayoutResult = {
      ...layout,
      nodes: layout.nodes.map(p => ({
        ...p,
        ports: [{ id: 'in0', x: 0, y: 10 }, p.ports[1]]
      }))
    };
    const relaid = flowElements(
      vg,
      moved,
      'RIGHT',
      model.outputs,
      deco(),
      reuse
    ).nodes.find(n => n.id === id);
    expect(relaid?.measured).toBeUndefined();
  });
});

describe('RenderGate', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('renders at once when no command is in flight', () => {
    const render = jest.fn();
    new RenderGate(() => null, render).changed();
    expect(render).toHaveBeenCalledTimes(1);
  });

  it('holds changes while a command is answered, then renders once', async () => {
    const render = jest.fn();
    let answer: () => void = () => undefined;
    const inFlight = new Promise<void>(resolve => (answer = resolve));
    const gate = new RenderGate(() => inFlight, render);
    gate.changed();
    gate.changed();
    expect(render).not.toHaveBeenCalled();
    answer();
    await inFlight;
    await Promise.resolve();
    expect(render).toHaveBeenCalledTimes(1);
    jest.runAllTimers();
    expect(render).toHaveBeenCalledTimes(1);
  });

  it('renders anyway when the reply does not come in time', () => {
    const render = jest.fn();
    const gate = new RenderGate(
      () => new Promise(() => undefined),
      render,
      100
    );
    gate.changed();
    jest.advanceTimersByTime(99);
    expect(render).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(render).toHaveBeenCalledTimes(1);
  });
});

describe('shownValues', () => {
  const reply = (nodeId: string): Fetched => ({
    state: 'done',
    reply: { nodeId } as unknown as DecodedReply
  });
  it('shows held values first, then those fetched for this moment, else loading', () => {
    const held = new Map([['a', reply('a')]]);
    const fetched = { at: 'now', values: new Map([['b', reply('b')]]) };
    const shown = shownValues(['a', 'b', 'c'], held, fetched, 'now');
    expect(shown.get('a')).toBe(held.get('a'));
    expect(shown.get('b')).toBe(fetched.values.get('b'));
    expect(shown.get('c')).toEqual({ state: 'loading' });
    // Values fetched for another moment are not shown.
    expect(shownValues(['b'], new Map(), fetched, 'later').get('b')).toEqual({
      state: 'loading'
    });
  });
});
