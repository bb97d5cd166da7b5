import { paramText, parseParam } from '../../src/editor/model/params';

describe('editor param fields', () => {
  it('reads shapes typed the Python way, with named and unknown dims', () => {
    expect(parseParam('(batch, 64)', 'shape')).toEqual({
      ok: true,
      value: ['batch', 64]
    });
    expect(parseParam('[32, None]', 'shape')).toEqual({
      ok: true,
      value: [32, null]
    });
    expect(parseParam('(5,)', 'shape')).toEqual({ ok: true, value: [5] });
    expect(parseParam('()', 'shape')).toEqual({ ok: true, value: [] });
    expect(parseParam('[1, 2]', 'shape')).toEqual({ ok: true, value: [1, 2] });
  });

  it('reads numbers, booleans, bare names and strings, and refuses code', () => {
    expect(parseParam('-1', 'axis')).toEqual({ ok: true, value: -1 });
    expect(parseParam('1e-3', 'number')).toEqual({ ok: true, value: 0.001 });
    expect(parseParam('True', 'bool')).toEqual({ ok: true, value: true });
    expect(parseParam('float32', 'dtype')).toEqual({
      ok: true,
      value: 'float32'
    });
    expect(parseParam('', 'axis')).toEqual({ ok: true, value: null });
    expect(parseParam('my name (2)', 'string')).toEqual({
      ok: true,
      value: 'my name (2)'
    });
    expect(parseParam('__import__("os")', 'axis').ok).toBe(false);
    expect(parseParam('(1, os.system(1))', 'shape').ok).toBe(false);
  });

  it('shows values the way they are typed back', () => {
    for (const v of [
      ['batch', 64],
      [5],
      [],
      3,
      true,
      'relu',
      [
        [1, 2],
        [3, 4]
      ]
    ]) {
      expect(parseParam(paramText(v), 'any')).toEqual({ ok: true, value: v });
    }
    expect(paramText(['batch', 64])).toBe('(batch, 64)');
    expect(paramText([32, null])).toBe('(32, None)');
    expect(paramText(null)).toBe('');
  });
});
