import {
  AUTO_MAX_CANVAS_PX,
  AUTO_MIN_CANVAS_PX,
  MIN_TEXT_PX,
  OPEN_PAD_PX,
  START_PAD_PX,
  autoCanvasHeight,
  openingViewport,
  readableZoom,
  startItem
} from '../src/view/hooks/openingView';

const canvas = { width: 800, height: 380 };

describe('opening view', () => {
  it('reads node text at MIN_TEXT_PX or more', () => {
    expect(readableZoom(13) * 13).toBeCloseTo(MIN_TEXT_PX);
  });

  it('fits a small graph whole, centred, no larger than 1.25', () => {
    const v = openingViewport(
      { width: 300, height: 100 },
      canvas,
      'RIGHT',
      readableZoom(13),
      null,
      null
    );
    expect(v.zoom).toBeCloseTo(1.25);
    expect(v.x).toBeCloseTo((800 - 300 * 1.25) / 2);
  });

  it('opens a long chain at a readable zoom on its first input', () => {
    const z = readableZoom(13);
    const start = { x: 0, y: 40, width: 150, height: 60 };
    const v = openingViewport(
      { width: 200_000, height: 140 },
      canvas,
      'RIGHT',
      z,
      null,
      start
    );
    expect(v.zoom).toBeCloseTo(z);
    expect(v.x).toBeCloseTo(START_PAD_PX);
    // 140 units tall fits the canvas: centred across the flow.
    expect(v.y).toBeCloseTo((380 - 140 * z) / 2);
  });

  it('centres a focus item of a long graph, never past the graph end', () => {
    const z = readableZoom(13);
    const focus = { x: 5000, y: 900, width: 100, height: 50 };
    const v = openingViewport(
      { width: 6000, height: 1000 },
      canvas,
      'RIGHT',
      z,
      focus,
      null
    );
    const cx = (focus.x + 50) * z + v.x;
    const cy = (focus.y + 25) * z + v.y;
    expect(cx).toBeGreaterThan(0);
    expect(cx).toBeLessThan(800);
    expect(cy).toBeGreaterThan(0);
    expect(cy).toBeLessThan(380);
    // The graph's bottom edge is not dragged above the canvas bottom less its pad.
    expect(1000 * z + v.y).toBeGreaterThanOrEqual(380 - OPEN_PAD_PX - 1e-6);
  });

  it('sizes the canvas to the graph within bounds', () => {
    const z = readableZoom(13);
    expect(autoCanvasHeight({ width: 300, height: 40 }, 800, z)).toBe(
      AUTO_MIN_CANVAS_PX
    );
    expect(autoCanvasHeight({ width: 300, height: 3000 }, 800, z)).toBe(
      AUTO_MAX_CANVAS_PX
    );
    // A long chain: its cross-section at the readable zoom.
    expect(autoCanvasHeight({ width: 90_000, height: 300 }, 800, z)).toBe(
      Math.round(300 * z + 2 * OPEN_PAD_PX)
    );
  });

  it('starts at the input nearest the flow start', () => {
    const boxes = new Map([
      ['b', { x: 200, y: 0, width: 10, height: 10 }],
      ['a', { x: 0, y: 50, width: 10, height: 10 }],
      ['c', { x: 0, y: 10, width: 10, height: 10 }]
    ]);
    expect(startItem(boxes, [{ target: 'c' }], 'RIGHT')).toBe(boxes.get('a'));
    expect(startItem(boxes, [], 'DOWN')).toBe(boxes.get('b'));
  });
});
