import { initialViewerState, viewerReducer } from '../src/model/viewerState';

const layout = { nodes: [], width: 0, height: 0 };

describe('viewer state reducer', () => {
  it('goes idle -> running -> done', () => {
    let s = viewerReducer(initialViewerState, {
      type: 'layout-started',
      seq: 1
    });
    expect(s.layoutState).toBe('running');
    s = viewerReducer(s, { type: 'layout-finished', seq: 1, layout });
    expect(s.layoutState).toBe('done');
    expect(s.layout).toBe(layout);
  });

  it('ignores answers to stale layouts', () => {
    let s = viewerReducer(initialViewerState, {
      type: 'layout-started',
      seq: 1
    });
    s = viewerReducer(s, { type: 'layout-started', seq: 2 });
    const after = viewerReducer(s, { type: 'layout-finished', seq: 1, layout });
    expect(after).toBe(s);
    expect(
      viewerReducer(s, { type: 'layout-failed', seq: 1, message: 'x' })
    ).toBe(s);
    expect(viewerReducer(s, { type: 'layout-started', seq: 1 })).toBe(s);
  });

  it('records failures', () => {
    let s = viewerReducer(initialViewerState, {
      type: 'layout-started',
      seq: 3
    });
    s = viewerReducer(s, { type: 'layout-failed', seq: 3, message: 'boom' });
    expect(s.layoutState).toBe('error');
    expect(s.error).toBe('boom');
    s = viewerReducer(s, { type: 'layout-started', seq: 4 });
    expect(s.error).toBeNull();
  });
});
