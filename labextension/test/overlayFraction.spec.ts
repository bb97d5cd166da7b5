import { overlayFraction } from '../src/view/hooks/useOverlay';

const scale = (metric: string) => ({ metric, min: 0, max: 1000 });

describe('overlayFraction', () => {
  it('colours any NaN or Inf count fully', () => {
    expect(overlayFraction('nan_count', 1, scale('nan_count'))).toBe(1);
    expect(overlayFraction('inf_count', 1000, scale('inf_count'))).toBe(1);
    expect(overlayFraction('nan_count', 0, scale('nan_count'))).toBe(0);
  });

  it('keeps the scale for other figures', () => {
    expect(overlayFraction('time_us', 1, scale('time_us'))).toBeLessThan(0.5);
  });
});
