/** What a group box says: name, module class, ×N, node count. */
import { buildGraphModel } from '../src/model/graphModel';
import { buildScopeTree } from '../src/model/scopeTree';
import {
  groupLines,
  groupTitle,
  nodeCountText
} from '../src/model/visibleGraph';
import { linearReluStack } from './shapes';

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

  it('badges a run with its copies and a repeated block with its repeats', () => {
    expect(groupTitle(at('0–79'))).toBe('0–79  ×40');
    expect(groupTitle(at('0–79/2–3'))).toBe('2–3  ×40');
  });

  it('reads the same without scope_types, minus the class', () => {
    const payload = linearReluStack(40, true);
    delete payload.scope_types;
    const plain = buildScopeTree(buildGraphModel(payload));
    expect(groupTitle(plain.groups.get('0–79/0–1/0')!)).toBe('0  ×40');
  });
});
