/** Phase bands: forward, backward mirrored beside it, updates by their parameter. */
import ELK from 'elkjs/lib/elk.bundled.js';
import {
  EDGE_NODE_SPACING,
  type ElkLike,
  FRAME_PADDING,
  FRAME_PADDING_TOP,
  runElkLayout
} from '../src/layout/elkGraph';
import { layoutInputFromVisible } from '../src/layout/fromModel';
import type { LayoutResult } from '../src/layout/messages';
import { buildGraphModel } from '../src/model/graphModel';
import {
  autoCollapseDepth,
  buildScopeTree,
  expandedAtDepth,
  ROOT_PATH
} from '../src/model/scopeTree';
import {
  buildVisibleGraph,
  frameId,
  groupItemId
} from '../src/model/visibleGraph';
import { smallGraph } from './fixtures';
import penaltyStep from './fixtures/penalty_step.json';
import tutorialStep from './fixtures/training_step.json';
import type { GraphPayload } from '../src/protocol';
import { DEFAULT_SETTINGS, initialExpanded } from '../src/model/settings';
import { trainingStep } from './shapes';

const elk = new ELK() as unknown as ElkLike;

async function layOut(
  expanded: (paths: Set<string>) => Set<string>,
  direction: 'RIGHT' | 'DOWN' = 'RIGHT'
) {
  const model = buildGraphModel(trainingStep());
  const tree = buildScopeTree(model);
  const vg = buildVisibleGraph(model, tree, expanded(expandedAtDepth(tree, 0)));
  const result = await runElkLayout(elk, layoutInputFromVisible(vg), {
    direction
  });
  return { vg, result };
}

function box(result: LayoutResult, id: string) {
  const b =
    result.nodes.find(n => n.id === id) ??
    result.frames?.find(f => f.id === id);
  if (!b) {
    throw new Error(`no box ${id}`);
  }
  return b;
}

const centre = (b: { x: number; width: number }) => b.x + b.width / 2;

describe('phase bands in the tree', () => {
  const model = buildGraphModel(trainingStep());
  const tree = buildScopeTree(model);

  it('puts forward, backward and update bands at the top', () => {
    const root = tree.groups.get(ROOT_PATH)!;
    expect(root.childGroups).toEqual(['forward', 'backward ∇', 'update ⟳']);
    expect(root.childNodes).toEqual([]);
    expect(tree.groups.get('forward')!.kind).toBe('band');
    expect(tree.banded).toBe(true);
  });

  it('keeps forward scopes and mirrors them for the backward pass', () => {
    expect(tree.groupOfNode.get('mm0')).toBe('forward/0');
    expect(tree.groupOfNode.get('w0')).toBe('forward/0');
    expect(tree.groupOfNode.get('g_mm0')).toBe('backward ∇/∇ 0');
    expect(tree.groupOfNode.get('g_w2')).toBe('backward ∇/∇ 2');
    const grad = tree.groups.get('backward ∇/∇ 0')!;
    expect(grad.scope).toBe('0');
    expect(grad.typeName).toBe('Linear');
  });

  it('puts each update and its optimiser state under its parameter', () => {
    expect(tree.groupOfNode.get('upd_w2')).toBe('update ⟳/⟳ 2');
    expect(tree.groupOfNode.get('mom_b0')).toBe('update ⟳/⟳ 0');
    expect(tree.groupOfNode.get('m_b0')).toBe('update ⟳/⟳ 0');
    // A `.grad ←` assign reading the gradient of layer 2's matmul.
    expect(tree.groupOfNode.get('grad_w2')).toBe('update ⟳/⟳ 2');
  });

  it('keeps bands open and collapses below them', () => {
    const d = autoCollapseDepth(tree);
    const open = expandedAtDepth(tree, 0);
    expect(open).toEqual(new Set(['forward', 'backward ∇', 'update ⟳']));
    expect(d).toBeGreaterThanOrEqual(1);
    const vg = buildVisibleGraph(model, tree, open);
    expect(vg.frames.map(f => f.id)).toEqual([
      frameId('forward'),
      frameId('backward ∇'),
      frameId('update ⟳')
    ]);
    expect(vg.alignTo.get(groupItemId('backward ∇/∇ 0'))).toBe(
      groupItemId('forward/0')
    );
    expect(vg.alignTo.get(groupItemId('update ⟳/⟳ 2'))).toBe(
      groupItemId('forward/2')
    );
  });

  it('draws a forward-only graph without bands', () => {
    const t = buildScopeTree(buildGraphModel(smallGraph()));
    expect(t.banded).toBe(false);
    expect(buildScopeTree(buildGraphModel(trainingStep())).banded).toBe(true);
  });
});

describe('phase bands laid out', () => {
  it('runs forward left to right, backward mirrored below with each ∇ under its layer', async () => {
    const { result } = await layOut(open => open);
    const fwd = box(result, frameId('forward'));
    const bwd = box(result, frameId('backward ∇'));
    const upd = box(result, frameId('update ⟳'));
    expect(bwd.y).toBeGreaterThanOrEqual(fwd.y + fwd.height);
    expect(upd.y).toBeGreaterThanOrEqual(bwd.y + bwd.height);
    const layer = (p: string) => centre(box(result, groupItemId(p)));
    expect(layer('forward/0')).toBeLessThan(layer('forward/1'));
    expect(layer('forward/1')).toBeLessThan(layer('forward/2'));
    for (const s of ['0', '1', '2']) {
      expect(
        Math.abs(layer(`backward ∇/∇ ${s}`) - layer(`forward/${s}`))
      ).toBeLessThan(40);
    }
    for (const s of ['0', '2']) {
      expect(
        Math.abs(layer(`update ⟳/⟳ ${s}`) - layer(`forward/${s}`))
      ).toBeLessThan(40);
    }
  });

  it('lines up single ∇ nodes with their forward nodes when layers are open', async () => {
    const { result } = await layOut(
      open => new Set([...open, 'forward/0', 'backward ∇/∇ 0'])
    );
    const c = (id: string) => centre(box(result, id));
    expect(Math.abs(c('g_mm0') - c('mm0'))).toBeLessThan(80);
    expect(c('g_add0')).toBeGreaterThan(c('g_mm0'));
  });

  it('stacks the bands side by side when the flow runs down', async () => {
    const { result } = await layOut(open => open, 'DOWN');
    const fwd = box(result, frameId('forward'));
    const bwd = box(result, frameId('backward ∇'));
    expect(bwd.x).toBeGreaterThanOrEqual(fwd.x + fwd.width);
    const middle = (p: string) => {
      const b = box(result, groupItemId(p));
      return b.y + b.height / 2;
    };
    expect(middle('forward/0')).toBeLessThan(middle('forward/2'));
    for (const s of ['0', '1', '2']) {
      expect(
        Math.abs(middle(`backward ∇/∇ ${s}`) - middle(`forward/${s}`))
      ).toBeLessThan(40);
    }
  });
});

describe('phase bands of a traced training step (vf, SGD with momentum)', () => {
  it('keeps each band as long as its own members: no blank stretch in the forward band', async () => {
    const model = buildGraphModel(tutorialStep as GraphPayload);
    const tree = buildScopeTree(model);
    const vg = buildVisibleGraph(
      model,
      tree,
      initialExpanded(tree, DEFAULT_SETTINGS)
    );
    const result = await runElkLayout(elk, layoutInputFromVisible(vg), {
      direction: 'RIGHT'
    });
    const frames = result.frames ?? [];
    /** Boxes drawn inside a band frame, as spans along the flow, in order. */
    const spans = (band: { x: number; y: number; height: number }) =>
      [...result.nodes, ...frames]
        .filter(b => b !== band && b.y >= band.y && b.y < band.y + band.height)
        .map(b => [b.x, b.x + b.width])
        .sort((a, b) => a[0] - b[0]);
    /** The widest stretch of a band, along the flow, that no box covers. */
    const widestGap = (band: LayoutResult['nodes'][number] | undefined) => {
      let reached = band!.x;
      let gap = 0;
      for (const [from, to] of spans(band!)) {
        gap = Math.max(gap, from - reached);
        reached = Math.max(reached, to);
      }
      return Math.max(gap, band!.x + band!.width - reached);
    };
    const narrowest = Math.min(...result.nodes.map(n => n.width));
    const band = (id: string) =>
      frames.find(f => f.id === frameId(id)) as LayoutResult['nodes'][number];
    expect(widestGap(band('forward'))).toBeLessThan(narrowest);
    // The backward band runs past the forward one (∇ loss beyond the loss): each band ends
    // where its members do (the others start where their forward layers do, so only the tail).
    expect(band('backward ∇').width).toBeGreaterThan(band('forward').width);
    for (const id of ['backward ∇', 'update ⟳']) {
      const b = band(id);
      const end = Math.max(...spans(b).map(s => s[1]));
      expect(b.x + b.width - end).toBeLessThan(narrowest);
    }
  });

  it("puts every input (placeholder) in the forward band's first layer, the band no taller than its layers", async () => {
    const model = buildGraphModel(tutorialStep as GraphPayload);
    const tree = buildScopeTree(model);
    const vg = buildVisibleGraph(
      model,
      tree,
      initialExpanded(tree, DEFAULT_SETTINGS)
    );
    const input = layoutInputFromVisible(vg);
    const result = await runElkLayout(elk, input, { direction: 'RIGHT' });
    const fwd = box(result, frameId('forward'));
    // The band's own members (nodes and group frames directly in it).
    const direct = new Set(
      [...input.nodes, ...(input.frames ?? [])]
        .filter(m => m.parent === frameId('forward'))
        .map(m => m.id)
    );
    const members = [...result.nodes, ...(result.frames ?? [])].filter(b =>
      direct.has(b.id)
    );
    const inputs = model.nodes.filter(n => n.op === 'placeholder');
    expect(inputs.map(n => n.name).sort()).toEqual(['xb', 'yb']);
    const leftmostEnd = Math.min(
      ...members.filter(b => !inputs.some(n => n.id === b.id)).map(b => b.x)
    );
    for (const n of inputs) {
      expect(direct.has(n.id)).toBe(true);
      const b = box(result, n.id);
      expect(b.x + b.width).toBeLessThanOrEqual(leftmostEnd);
    }
    // Layers: members whose spans along the flow overlap; each needs its members' heights and gaps.
    const sorted = [...members].sort((a, b) => a.x - b.x);
    let tallest = 0;
    let layer: typeof sorted = [];
    const close = () => {
      const need =
        layer.reduce((h, b) => h + b.height, 0) + 30 * (layer.length - 1);
      tallest = Math.max(tallest, need);
    };
    for (const b of sorted) {
      const reach = Math.max(...layer.map(m => m.x + m.width));
      if (layer.length > 0 && b.x >= reach) {
        close();
        layer = [];
      }
      layer.push(b);
    }
    close();
    // Plus one lane past the tallest layer for the inputs' long edges (each input sits on its
    // edge's lane, straight): before, `yb` sat under the last layer, the band 343 px tall.
    const lane =
      EDGE_NODE_SPACING +
      Math.max(...inputs.map(n => box(result, n.id).height)) / 2;
    expect(fwd.height).toBeLessThanOrEqual(
      tallest + FRAME_PADDING_TOP + FRAME_PADDING + lane + 1
    );
  });

  it('keeps a backward band with many loose ∇ nodes as long as the forward band, none overlapping', async () => {
    // A loss with a penalty term: its ∇ nodes sit side by side, not in one long diagonal.
    const model = buildGraphModel(penaltyStep as GraphPayload);
    const tree = buildScopeTree(model);
    const vg = buildVisibleGraph(
      model,
      tree,
      initialExpanded(tree, DEFAULT_SETTINGS)
    );
    const result = await runElkLayout(elk, layoutInputFromVisible(vg), {
      direction: 'RIGHT'
    });
    const fwd = box(result, frameId('forward'));
    const bwd = box(result, frameId('backward ∇'));
    const widest = Math.max(...result.nodes.map(n => n.width));
    expect(bwd.width).toBeLessThan(fwd.width + 2 * widest);
    const inBand = [...result.nodes, ...(result.frames ?? [])].filter(
      b => b !== bwd && b.y >= bwd.y && b.y < bwd.y + bwd.height
    );
    const apart = (p: (typeof inBand)[number], q: (typeof inBand)[number]) =>
      p.x + p.width <= q.x ||
      q.x + q.width <= p.x ||
      p.y + p.height <= q.y ||
      q.y + q.height <= p.y;
    const inside = (p: (typeof inBand)[number], q: (typeof inBand)[number]) =>
      p.x >= q.x &&
      p.y >= q.y &&
      p.x + p.width <= q.x + q.width &&
      p.y + p.height <= q.y + q.height;
    for (const p of inBand) {
      for (const q of inBand) {
        if (p !== q && !inside(p, q) && !inside(q, p)) {
          expect(apart(p, q)).toBe(true);
        }
      }
    }
  });
});
