import {
  categoryClass,
  cssToken,
  formatDim,
  formatShape,
  formatShapeDtype,
  phaseClass
} from '../src/model/format';

describe('shape formatting', () => {
  it('formats like numpy', () => {
    expect(formatShape([4, 3])).toBe('(4, 3)');
    expect(formatShape([5])).toBe('(5,)');
    expect(formatShape([])).toBe('()');
    expect(formatShape([2, 3, 4])).toBe('(2, 3, 4)');
  });

  it('shows unknown and symbolic dimensions', () => {
    expect(formatShape([null, 3])).toBe('(?, 3)');
    expect(formatShape(['batch', 10])).toBe('(batch, 10)');
    expect(formatShape(null)).toBe('?');
    expect(formatShape(undefined)).toBe('?');
    expect(formatDim(null)).toBe('?');
  });

  it('appends the dtype', () => {
    expect(formatShapeDtype([4, 3], 'float32')).toBe('(4, 3) float32');
    expect(formatShapeDtype([], 'int64')).toBe('() int64');
    expect(formatShapeDtype(null, '')).toBe('?');
  });
});

describe('css classes', () => {
  it('maps known categories and falls back for others', () => {
    expect(categoryClass('matmul')).toBe('vf-cat-matmul');
    expect(categoryClass('  Reduction ')).toBe('vf-cat-reduction');
    expect(categoryClass('foreign')).toBe('vf-cat-foreign');
    expect(categoryClass('something new')).toBe('vf-cat-other');
    expect(categoryClass('')).toBe('vf-cat-other');
  });

  it('never lets user text escape the class token', () => {
    expect(cssToken('a"b <script>')).toBe('a-b-script');
    expect(cssToken('***')).toBe('none');
    expect(phaseClass('backward')).toBe('vf-phase-backward');
  });
});
