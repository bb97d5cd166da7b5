import { DocIndex, EMPTY_DOCUMENT } from '../../src/editor/model/document';
import {
  nodeMessage,
  portKey,
  summarise,
  verdicts
} from '../../src/editor/model/validity';
import { opNode } from './fakeKernel';

describe('editor validity', () => {
  const bad = {
    ...opNode('m', 'matmul'),
    state: 'error' as const,
    error: {
      message: 'matmul: (batch, 64) @ (32, 10) — inner dims 64 ≠ 32',
      rule: 'the last dim of a must equal the first dim of b'
    }
  };

  it('puts the error and its rule on the node that has it', () => {
    expect(nodeMessage(bad)).toBe(
      'matmul: (batch, 64) @ (32, 10) — inner dims 64 ≠ 32 (the last dim of a must equal the first dim of b)'
    );
    expect(nodeMessage({ ...bad, error: null })).toBe('not valid yet');
    expect(nodeMessage(opNode('r', 'relu'))).toBeNull();
  });

  it('summarises states and points at the first error', () => {
    const index = new DocIndex({
      ...EMPTY_DOCUMENT,
      version: 1,
      nodes: [
        { ...opNode('x', 'placeholder'), state: 'executed' },
        bad,
        { ...opNode('s', 'sum'), state: 'stale' },
        { ...bad, id: 'm2' }
      ]
    });
    const s = summarise(index);
    expect(s.counts).toEqual({ error: 2, valid: 0, executed: 1, stale: 1 });
    expect(s.firstError).toBe('m');
    expect(s.text).toBe('2 errors · 1 executed · 1 stale');
    expect(summarise(new DocIndex({ ...EMPTY_DOCUMENT })).text).toBe(
      'empty graph'
    );
  });

  it('maps probe targets to port verdicts', () => {
    const v = verdicts([
      { node: 'm', port: 1, ok: false, reason: 'inner dims 64 ≠ 32' },
      { node: 'r', port: 0, ok: true, reason: '' }
    ]);
    expect(v.get(portKey('m', 1))).toEqual({
      ok: false,
      reason: 'inner dims 64 ≠ 32'
    });
    expect(v.get(portKey('r', 0))!.ok).toBe(true);
    expect(v.has(portKey('m', 0))).toBe(false);
  });
});
