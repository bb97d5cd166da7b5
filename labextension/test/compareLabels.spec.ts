/** Headings of a side-by-side comparison. */
import { compareLabels } from '../src/model/compare';

describe('compareLabels', () => {
  it('names the pair by the first title and B by its own where it differs', () => {
    expect(compareLabels('before / after vf.optimize', 'train_step')).toEqual({
      caption: 'before / after vf.optimize',
      a: 'A',
      b: 'B: train_step'
    });
  });

  it('does not repeat a title both graphs share', () => {
    expect(compareLabels('train_step', 'train_step')).toEqual({
      caption: 'train_step',
      a: 'A',
      b: 'B'
    });
  });

  it('falls back to the second title, then to "graph"', () => {
    expect(compareLabels('', 'optimized')).toEqual({
      caption: 'optimized',
      a: 'A',
      b: 'B'
    });
    expect(compareLabels(undefined, undefined)).toEqual({
      caption: 'graph',
      a: 'A',
      b: 'B'
    });
  });
});
