import { setParam } from '../../src/editor/model/commands';
import { History, COALESCE_MS } from '../../src/editor/model/history';
import type { EditorCommand } from '../../src/editor/model/commands';

const setP = (value: number): EditorCommand => setParam('n1', 'axis', value);

describe('editor history', () => {
  it('folds a burst of edits to one field into one step that undoes to the start', () => {
    const h = new History();
    h.record([setP(1)], [setP(0)], 0);
    h.record([setP(12)], [setP(1)], 300);
    h.record([setP(123)], [setP(12)], 600);
    expect(h.depth).toEqual({ undo: 1, redo: 0 });
    const step = h.takeUndo()!;
    // latest edit undone first, back to the value before the burst
    expect(step.undo).toEqual([setP(12), setP(1), setP(0)]);
    expect(step.redo).toEqual([setP(1), setP(12), setP(123)]);
  });

  it('starts a new step after a pause, a seal, or an edit to another field', () => {
    const h = new History();
    h.record([setP(1)], [setP(0)], 0);
    h.record([setP(2)], [setP(1)], COALESCE_MS + 1);
    expect(h.depth.undo).toBe(2);
    h.seal();
    h.record([setP(3)], [setP(2)], COALESCE_MS + 2);
    expect(h.depth.undo).toBe(3);
    h.record(
      [setParam('n1', 'keepdims', 1)],
      [setParam('n1', 'keepdims', 0)],
      COALESCE_MS + 3
    );
    expect(h.depth.undo).toBe(4);
  });

  it('keeps a bulk request as one step and never folds it', () => {
    const h = new History();
    const bulk: EditorCommand[] = [
      { cmd: 'delete', nodes: ['a'] },
      { cmd: 'delete', nodes: ['b'] }
    ];
    h.record(
      bulk,
      [{ cmd: 'paste', fragment: { nodes: [], edges: [], groups: [] } }],
      0
    );
    h.record(
      bulk,
      [{ cmd: 'paste', fragment: { nodes: [], edges: [], groups: [] } }],
      1
    );
    expect(h.depth.undo).toBe(2);
    expect(h.undoLabel).toBe('delete 1 node ×2');
  });

  it('moves steps between the stacks with the kernel inverse, and a new edit clears redo', () => {
    const h = new History();
    h.record(
      [
        {
          cmd: 'add_node',
          kind: 'op',
          op: 'relu',
          params: {},
          position: { x: 0, y: 0 }
        }
      ],
      [{ cmd: 'delete', nodes: ['n1'] }],
      0
    );
    const step = h.takeUndo()!;
    const restore: EditorCommand = {
      cmd: 'paste',
      fragment: { nodes: [{ id: 'n1' }], edges: [], groups: [] },
      keep_ids: true
    };
    h.undone(step, [restore]);
    expect(h.canUndo).toBe(false);
    const redo = h.takeRedo()!;
    expect(redo.redo).toEqual([restore]);
    h.redone(redo, [{ cmd: 'delete', nodes: ['n1'] }]);
    expect(h.takeUndo()!.undo).toEqual([{ cmd: 'delete', nodes: ['n1'] }]);
    h.undone(step, [restore]);
    expect(h.canRedo).toBe(true);
    h.record([setP(1)], [setP(0)], 10);
    expect(h.canRedo).toBe(false);
  });

  it('puts a refused step back and keeps at most its limit', () => {
    const h = new History(3);
    for (let i = 0; i < 5; i++) {
      h.record(
        [{ cmd: 'rename', node: `n${i}`, name: 'x' }],
        [{ cmd: 'rename', node: `n${i}`, name: '' }],
        i * 10_000
      );
    }
    expect(h.depth.undo).toBe(3);
    const step = h.takeUndo()!;
    h.restore(step, 'undo');
    expect(h.depth.undo).toBe(3);
    expect(h.takeUndo()).toBe(step);
  });
});
