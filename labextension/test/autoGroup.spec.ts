/** Auto-grouping: graphs without scopes get groups, no level shows too many items. */
import ELK from 'elkjs/lib/elk.bundled.js';
import { type ElkLike, runElkLayout } from '../src/layout/elkGraph';
import { layoutInputFromVisible } from '../src/layout/fromModel';
import { groupLevel } from '../src/model/autoGroup';
import { buildGraphModel } from '../src/model/graphModel';
import {
  autoCollapseDepth,
  buildScopeTree,
  expandedAtDepth,
  ROOT_PATH,
  type ScopeTree
} from '../src/model/scopeTree';
import { buildVisibleGraph } from '../src/model/visibleGraph';
import { smallGraph } from './fixtures';
import { fanOut, flatChain, linearReluStack, unrolledCell } from './shapes';

/** The most items (nodes and child groups) any group holds directly. */
function widestLevel(tree: ScopeTree): number {
  let most = 0;
  for (const g of tree.groups.values()) {
    most = Math.max(most, g.childNodes.length + g.childGroups.length);
  }
  return most;
}

function group(tree: ScopeTree, path: string) {
  const g = tree.groups.get(path);
  if (!g) {
    throw new Error(
      `no group ${path}; have ${[...tree.groups.keys()].slice(0, 20).join(', ')}`
    );
  }
  return g;
}

describe('groupLevel', () => {
  const nodes = (ops: string[]) =>
    ops.map((op, i) => ({ token: op, isGroup: false, label: `#${i + 1}` }));

  it('leaves a short level without repeats alone', () => {
    expect(groupLevel(nodes(['a', 'b', 'c', 'a', 'b']))).toEqual([
      [],
      [],
      [],
      [],
      []
    ]);
  });

  it('wraps three or more copies of a block in a run of steps', () => {
    const segs = groupLevel(nodes(['x', 'a', 'b', 'a', 'b', 'a', 'b', 'y']));
    expect(segs[0]).toEqual([]);
    expect(segs[1]).toEqual([
      { name: 'steps 1–3', kind: 'run', copies: 3 },
      { name: 'step 1', kind: 'block', copies: 1 }
    ]);
    expect(segs[6].map(s => s.name)).toEqual(['steps 1–3', 'step 3']);
    expect(segs[7]).toEqual([]);
  });

  it('does not take a run of one repeated node for a loop', () => {
    expect(groupLevel(nodes(['a', 'a', 'a', 'a']))).toEqual([[], [], [], []]);
  });
});

describe('auto-grouping a flat chain', () => {
  it.each([10_000, 100_000])(
    'keeps every level of a %i-node chain short',
    n => {
      const model = buildGraphModel(flatChain(n));
      const start = performance.now();
      const tree = buildScopeTree(model);
      const ms = performance.now() - start;
      expect(widestLevel(tree)).toBeLessThanOrEqual(50);
      expect(tree.groupOfNode.size).toBe(n + 1);
      expect(group(tree, ROOT_PATH).descendants).toHaveLength(n + 1);
      // The default collapse depth shows at most 50 items.
      const vg = buildVisibleGraph(
        model,
        tree,
        expandedAtDepth(tree, autoCollapseDepth(tree))
      );
      expect(vg.items.length).toBeLessThanOrEqual(50);
      expect(vg.items.length).toBeGreaterThan(1);
      // Logged, not asserted as a timing test: the benchmark measures speed.
      console.log(`auto-grouped a ${n}-node chain in ${ms.toFixed(0)} ms`);
    }
  );

  it('finds the repeats of a chain whose ops cycle', () => {
    const tree = buildScopeTree(
      buildGraphModel(flatChain(3000, ['matmul', 'add', 'relu']))
    );
    expect(widestLevel(tree)).toBeLessThanOrEqual(50);
    const blocks = [...tree.groups.values()].filter(g => g.kind === 'block');
    expect(blocks).toHaveLength(1000);
    expect(blocks.every(b => b.repeatCount === 1000)).toBe(true);
  });

  it('lays out a 10,000-node chain level by level without overflowing the stack', async () => {
    const model = buildGraphModel(flatChain(10_000));
    const tree = buildScopeTree(model);
    const vg = buildVisibleGraph(
      model,
      tree,
      expandedAtDepth(tree, autoCollapseDepth(tree))
    );
    const elk = new ELK() as unknown as ElkLike;
    const result = await runElkLayout(elk, layoutInputFromVisible(vg), {
      direction: 'RIGHT'
    });
    expect(result.nodes).toHaveLength(vg.items.length);
    // The groups read in chain order, left to right.
    const xs = result.nodes.map(p => p.x);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
  });
});

describe('repeated blocks', () => {
  it('shows 40 unscoped Linear+ReLU layers as one run of ×40 steps', () => {
    const model = buildGraphModel(linearReluStack(40, false));
    const tree = buildScopeTree(model);
    const root = group(tree, ROOT_PATH);
    expect(root.childGroups).toEqual(['steps 1–40']);
    const run = group(tree, 'steps 1–40');
    expect(run.kind).toBe('run');
    expect(run.childGroups).toHaveLength(40);
    const step = group(tree, 'steps 1–40/step 7');
    expect(step.kind).toBe('block');
    expect(step.repeatCount).toBe(40);
    expect(step.childNodes).toEqual(['w6', 'b6', 'mm6', 'add6', 'relu6']);
    // The default collapse depth shows the run once, closed.
    const open = expandedAtDepth(tree, autoCollapseDepth(tree));
    const vg = buildVisibleGraph(model, tree, open);
    expect(vg.items.map(i => i.id)).toEqual(['x', 'group:steps 1–40', 'loss']);
  });

  it('shows a Sequential of 40 Linear+ReLU pairs once, pairs expandable one by one', () => {
    const model = buildGraphModel(linearReluStack(40, true));
    const tree = buildScopeTree(model);
    const run = group(tree, '0–79');
    expect(run.kind).toBe('run');
    expect(run.childGroups).toHaveLength(40);
    const pair = group(tree, '0–79/4–5');
    expect(pair.kind).toBe('block');
    expect(pair.repeatCount).toBe(40);
    const linear = group(tree, '0–79/4–5/4');
    expect(linear.scope).toBe('4');
    expect(linear.typeName).toBe('Linear');
    expect(tree.groupOfNode.get('mm2')).toBe('0–79/4–5/4');
    const opened = buildVisibleGraph(
      model,
      tree,
      new Set(['0–79', '0–79/4–5'])
    );
    const ids = opened.items.map(i => i.id);
    expect(ids).toContain('group:0–79/4–5/4');
    expect(ids).toContain('group:0–79/6–7');
    expect(ids).toHaveLength(2 + 39 + 2);
  });

  it('groups the time steps of an unrolled cell', () => {
    const model = buildGraphModel(unrolledCell(7));
    const tree = buildScopeTree(model);
    const run = [...tree.groups.values()].find(g => g.kind === 'run');
    expect(run?.childGroups).toHaveLength(7);
    const steps = run!.childGroups.map(p => group(tree, p));
    expect(
      steps.every(s => s.repeatCount === 7 && s.childNodes.length === 6)
    ).toBe(true);
    expect(tree.groupOfNode.get('h3')).toBe(`${run!.path}/step 3`);
    // Weights and the output stay at the top.
    expect(tree.groupOfNode.get('Wx')).toBe(ROOT_PATH);
    expect(tree.groupOfNode.get('out')).toBe(ROOT_PATH);
  });

  it('cuts a wide fan-out into chunks', () => {
    const model = buildGraphModel(fanOut(2000));
    const tree = buildScopeTree(model);
    expect(widestLevel(tree)).toBeLessThanOrEqual(50);
    const vg = buildVisibleGraph(model, tree, new Set());
    expect(vg.items.length).toBeLessThanOrEqual(50);
  });

  it('leaves a small scoped graph as it was', () => {
    const tree = buildScopeTree(buildGraphModel(smallGraph()));
    expect([...tree.groups.keys()]).toEqual([ROOT_PATH]);
  });
});

describe('auto-grouping a level of repeats only', () => {
  it('chunks 200,000 repeated blocks that fill the whole level', () => {
    const children = Array.from({ length: 400_000 }, (_, i) => ({
      token: i % 2 ? 'relu' : 'matmul',
      isGroup: false,
      label: `#${i + 1}`
    }));
    const segs = groupLevel(children);
    expect(segs[0][segs[0].length - 1]).toEqual({
      name: 'step 1',
      kind: 'block',
      copies: 1
    });
    const tops = new Set(segs.map(s => s[0].name));
    expect(tops.size).toBeLessThanOrEqual(50);
  });
});
