/** What a group box says: name, module class, ×N, node count. */
import { buildGraphModel } from '../src/model/graphModel';
import { buildScopeTree } from '../src/model/scopeTree';
import {
  estimateGroupSize,
  groupLines,
  groupTitle,
  nodeCountText
} from '../src/model/visibleGraph';
import type { GraphPayload } from '../src/protocol';
import { Builder, flatChain, linearReluStack } from './shapes';

/** A cell module called in a 7-step loop: scopes cell[0]…cell[6] (or last-first), a tanh after each. */
function numberedCell(steps: number, reversed = false): GraphPayload {
  const b = new Builder();
  let prev = b.add('x', 'placeholder', { phase: 'input' });
  for (let k = 0; k < steps; k++) {
    const n = reversed ? steps - 1 - k : k;
    const mm = b.add(`mm${k}`, 'linear', { scope: `cell[${n}]` });
    b.link(prev, mm);
    prev = b.add(`t${k}`, 'tanh');
    b.link(mm, prev);
  }
  const out = b.add('out', 'sum');
  b.link(prev, out);
  return b.payload('rnn', [out]);
}

describe('group labels', () => {
  const tree = buildScopeTree(buildGraphModel(linearReluStack(40, true)));
  const at = (path: string) => tree.groups.get(path)!;

  it('counts one node in the singular', () => {
    expect(nodeCountText(1)).toBe('1 node');
    expect(nodeCountText(3)).toBe('3 nodes');
    expect(groupLines(at('0–79/0–1/1'))[1]).toBe('1 node');
  });

  it("names a Sequential's children with their module class", () => {
    expect(groupLines(at('0–79/0–1/0')).slice(0, 2)).toEqual([
      '0 · Linear  ×40',
      '4 nodes'
    ]);
    expect(groupTitle(at('0–79/0–1/1'))).toBe('1 · ReLU');
  });

  it('badges a run with its copies and a repeated block with its repeats, with their layer types', () => {
    expect(groupTitle(at('0–79'))).toBe('0–79 · Linear+ReLU  ×40');
    expect(groupTitle(at('0–79/2–3'))).toBe('2–3 · Linear+ReLU  ×40');
  });

  it('names a run of numbered instances by their range, without layer types', () => {
    const rnn = buildScopeTree(buildGraphModel(numberedCell(7)));
    const run = [...rnn.groups.values()].find(g => g.kind === 'run')!;
    expect(groupTitle(run)).toBe('cell[0…6]  ×7');
  });

  it('names the range lowest first when the instances run last-first', () => {
    const rnn = buildScopeTree(buildGraphModel(numberedCell(7, true)));
    const run = [...rnn.groups.values()].find(g => g.kind === 'run')!;
    expect(groupTitle(run)).toBe('cell[0…6]  ×7');
  });

  it("gives a long level's chunks no repeat badge (they are cuts, not repeats)", () => {
    const chain = buildScopeTree(buildGraphModel(flatChain(10_000)));
    const chunks = [...chain.groups.values()].filter(g => g.kind === 'chunk');
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.every(g => g.repeatCount === 1)).toBe(true);
    expect(chunks.map(groupTitle).every(t => !t.includes('×'))).toBe(true);
  });

  it('sizes a group box so its title and badge fit', () => {
    const chain = buildScopeTree(buildGraphModel(flatChain(10_000)));
    const chunk = [...chain.groups.values()].find(
      g => g.kind === 'chunk' && g.name.startsWith('#2')
    )!;
    const title = groupTitle(chunk);
    // The toggle (16px), gaps and the text at 8px per character, within the padding.
    expect(estimateGroupSize(chunk).width).toBeGreaterThanOrEqual(
      title.length * 8 + 16 + 12 + 20
    );
  });

  it('reads the same without scope_types, minus the class', () => {
    const payload = linearReluStack(40, true);
    delete payload.scope_types;
    const plain = buildScopeTree(buildGraphModel(payload));
    expect(groupTitle(plain.groups.get('0–79/0–1/0')!)).toBe('0  ×40');
  });
});
