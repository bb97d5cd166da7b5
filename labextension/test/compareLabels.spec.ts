/** Headings of a side-by-side comparison. */
import { compareLabels } from '../src/model/compare';

describe('compareLabels', () => {
  it("heads each side with its own graph's title and the pair with the viewer's", () => {
    expect(
      compareLabels('before / after vf.optimize', 'train_step', 'optimized')
    ).toEqual({
      caption: 'before / after vf.optimize',
      a: 'A · train_step',
      b: 'B · optimized'
    });
  });

  it('names the pair by both titles when the viewer has none', () => {
    expect(compareLabels('', 'train_step', 'optimized')).toEqual({
      caption: 'train_step vs optimized',
      a: 'A · train_step',
      b: 'B · optimized'
    });
    expect(compareLabels(undefined, 'step', 'step')).toEqual({
      caption: 'step',
      a: 'A · step',
      b: 'B · step'
    });
  });

  it('falls back to "graph" for an untitled side', () => {
    expect(compareLabels(undefined, undefined, ' ')).toEqual({
      caption: 'graph',
      a: 'A · graph',
      b: 'B · graph'
    });
  });
});
