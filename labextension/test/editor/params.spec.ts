import {
  heldValuesText,
  paramText,
  parseHeldValues,
  parseParam
} from '../../src/editor/model/params';

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

describe("a held array's values in the inspector", () => {
  it('shows them as JSON and reads back nested lists of its shape', () => {
    expect(heldValuesText([[1.5, -2, 3.25]])).toBe('[[1.5,-2,3.25]]');
    expect(parseHeldValues('[[0.5, 1, 2]]', [1, 3], 'float64')).toEqual({
      ok: true,
      value: [[0.5, 1, 2]]
    });
    expect(parseHeldValues('7', [], 'float32')).toEqual({ ok: true, value: 7 });
    expect(parseHeldValues('[true, false]', [2], 'bool')).toEqual({
      ok: true,
      value: [true, false]
    });
  });

  it('refuses another shape, ragged lists, other kinds and text that is not JSON', () => {
    const error = (text: string, shape: number[], dtype: string): string => {
      const r = parseHeldValues(text, shape, dtype);
      return r.ok ? 'accepted' : r.error;
    };
    expect(error('[0.5, 1, 2]', [1, 3], 'float64')).toBe(
      'give (1, 3) values, not (3,)'
    );
    expect(error('[[1, 2], [3]]', [2, 2], 'float32')).toMatch(/^give \(2, 2\)/);
    expect(error('[1.5, 0, 2]', [3], 'int8')).toBe(
      'int8 values are whole numbers, not 1.5'
    );
    expect(error('[1, null]', [2], 'float32')).toBe(
      'float32 values are finite numbers, not null'
    );
    expect(error('[1, 0]', [2], 'bool')).toBe(
      'bool values are true or false, not 1'
    );
    expect(error('[1, 2', [2], 'float32')).toMatch(/nested lists/);
  });
});
