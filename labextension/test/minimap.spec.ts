/** The minimap's size and whether it is drawn, from the canvas and the graph's shape. */
import {
  MAX_HEIGHT_SHARE,
  MAX_WIDTH_SHARE,
  MINIMAP_MIN_CANVAS_HEIGHT,
  MINIMAP_MIN_CANVAS_WIDTH,
  minimapShown,
  minimapSize
} from '../src/model/minimap';

describe('minimapSize', () => {
  it('stays within a fifth of the canvas width and a quarter of its height', () => {
    for (const [cw, ch] of [
      [300, 200],
      [470, 340],
      [900, 520],
      [2000, 1200]
    ]) {
      for (const [gw, gh] of [
        [5000, 100],
        [100, 5000],
        [800, 600],
        [0, 0]
      ]) {
        const s = minimapSize(gw, gh, cw, ch);
        expect(s.width).toBeLessThanOrEqual(Math.max(40, cw * MAX_WIDTH_SHARE));
        expect(s.height).toBeLessThanOrEqual(
          Math.max(40, ch * MAX_HEIGHT_SHARE)
        );
        // Small however large the canvas: it covers little of a big graph.
        expect(s.width).toBeLessThanOrEqual(200);
        expect(s.height).toBeLessThanOrEqual(120);
        // A usable size where the canvas has room for it.
        expect(s.width).toBeGreaterThanOrEqual(
          Math.min(90, Math.max(40, cw * MAX_WIDTH_SHARE - 1))
        );
        expect(s.height).toBeGreaterThanOrEqual(
          Math.min(56, Math.max(40, ch * MAX_HEIGHT_SHARE - 1))
        );
      }
    }
  });

  it('is shaped like the graph', () => {
    const wide = minimapSize(4000, 400, 900, 520);
    expect(wide.width).toBeGreaterThan(wide.height * 2);
    const tall = minimapSize(400, 4000, 900, 520);
    expect(tall.height).toBeGreaterThan(tall.width);
  });

  it('narrow canvases get a smaller map than wide ones', () => {
    const narrow = minimapSize(800, 600, 470, 340);
    const wide = minimapSize(800, 600, 1200, 600);
    expect(narrow.width).toBeLessThan(wide.width);
    expect(narrow.width).toBeLessThanOrEqual(118);
  });
});

describe('minimapShown', () => {
  it('follows the canvas size while the user has not chosen', () => {
    expect(minimapShown(null, 900, 500)).toBe(true);
    expect(minimapShown(null, MINIMAP_MIN_CANVAS_WIDTH - 1, 500)).toBe(false);
    expect(minimapShown(null, 900, MINIMAP_MIN_CANVAS_HEIGHT - 1)).toBe(false);
    // Not measured yet: no map rather than one that flashes and goes.
    expect(minimapShown(null, 0, 0)).toBe(false);
  });

  it("the user's toggle wins either way", () => {
    expect(minimapShown(true, 200, 150)).toBe(true);
    expect(minimapShown(false, 1600, 900)).toBe(false);
  });

  it('leaves the map off, untouched, for a graph seen whole at a readable zoom', () => {
    const small = { width: 900, height: 300, zoom: 1 };
    expect(minimapShown(null, 900, 500, small)).toBe(false);
    const long = { width: 20000, height: 300, zoom: 0.9 };
    expect(minimapShown(null, 900, 500, long)).toBe(true);
    expect(minimapShown(true, 900, 500, small)).toBe(true);
  });
});
