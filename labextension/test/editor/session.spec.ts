import { setParam } from '../../src/editor/model/commands';
import { EditorSession } from '../../src/editor/model/session';
import { FakeKernel } from './fakeKernel';

function setUp(): {
  kernel: FakeKernel;
  session: EditorSession;
  now: { t: number };
} {
  const kernel = new FakeKernel();
  const now = { t: 0 };
  const session = new EditorSession(kernel, () => now.t);
  kernel.onDocument = doc => session.setDocument(doc);
  return { kernel, session, now };
}

const add = (op: string) =>
  ({
    cmd: 'add_node',
    kind: 'op',
    op,
    params: {},
    position: { x: 0, y: 0 }
  }) as const;

describe('editor session', () => {
  it('undoes and redoes adds, connects and deletes through kernel inverses', async () => {
    const { kernel, session, now } = setUp();
    await session.apply([add('matmul')]);
    now.t += 5000;
    await session.apply([add('relu')]);
    now.t += 5000;
    await session.apply([
      {
        cmd: 'connect',
        source: 'n1',
        source_port: 0,
        target: 'n2',
        target_port: 0
      }
    ]);
    now.t += 5000;
    await session.apply([{ cmd: 'delete', nodes: ['n1'] }]);
    expect(kernel.doc.nodes.map(n => n.id)).toEqual(['n2']);
    expect(kernel.doc.edges).toHaveLength(0);

    await session.undo(); // the delete: node and its link come back with their ids
    expect(kernel.doc.nodes.map(n => n.id).sort()).toEqual(['n1', 'n2']);
    expect(kernel.doc.edges.map(e => [e.source, e.target])).toEqual([
      ['n1', 'n2']
    ]);
    for (let i = 0; i < 3; i++) {
      await session.undo();
    }
    expect(kernel.doc.nodes).toHaveLength(0);
    expect(await session.undo()).toBe(false);
    for (let i = 0; i < 4; i++) {
      await session.redo();
    }
    expect(kernel.doc.nodes.map(n => n.id)).toEqual(['n2']);
    expect(session.snapshot().canRedo).toBe(false);
  });

  it('sends one request at a time, each on the newest version', async () => {
    const { kernel, session } = setUp();
    const done = await Promise.all([
      session.apply([add('a')]),
      session.apply([add('b')]),
      session.undo(),
      session.apply([add('c')])
    ]);
    expect(done).toEqual([true, true, true, true]);
    expect(kernel.doc.nodes.map(n => n.op)).toEqual(['a', 'c']);
    expect(kernel.doc.version).toBe(4);
  });

  it('folds typing into one field into one undo step', async () => {
    const { kernel, session, now } = setUp();
    await session.apply([add('sum')]);
    now.t += 5000;
    for (const v of [1, 12, 123]) {
      now.t += 200;
      await session.apply([setParam('n1', 'axis', v)]);
    }
    expect(kernel.doc.nodes[0].params.axis).toBe(123);
    await session.undo();
    expect(kernel.doc.nodes[0].params.axis).toBeUndefined();
    expect(kernel.doc.nodes).toHaveLength(1);
    await session.redo();
    expect(kernel.doc.nodes[0].params.axis).toBe(123);
  });

  it('a refused request changes nothing and shows why', async () => {
    const { kernel, session } = setUp();
    await session.apply([add('sum')]);
    const before = kernel.doc;
    const ok = await session.apply([setParam('n1', 'axis', 'x')]);
    expect(ok).toBe(false);
    expect(kernel.doc).toBe(before);
    expect(session.snapshot().error).toBe('axis must be a number');
    expect(session.snapshot().undoLabel).toBe('add sum');
    await session.apply([{ cmd: 'rename', node: 'n1', name: 'total' }]);
    expect(session.snapshot().error).toBeNull();
  });

  it('gives the step back when the kernel refuses its undo', async () => {
    const { kernel, session } = setUp();
    await session.apply([add('sum')]);
    // an edit from Python that the browser has not seen yet
    kernel.doc = { ...kernel.doc, version: kernel.doc.version + 1 };
    expect(await session.undo()).toBe(false);
    expect(session.snapshot().canUndo).toBe(true);
    session.setDocument(kernel.doc);
    expect(await session.undo()).toBe(true);
    expect(kernel.doc.nodes).toHaveLength(0);
  });

  it('keeps one snapshot object until something changes', async () => {
    const { session } = setUp();
    const a = session.snapshot();
    expect(session.snapshot()).toBe(a);
    let calls = 0;
    session.subscribe(() => (calls += 1));
    await session.apply([add('relu')]);
    expect(calls).toBeGreaterThan(0);
    expect(session.snapshot()).not.toBe(a);
    expect(session.snapshot().index.nodes.has('n1')).toBe(true);
  });
});

describe('document reuse', () => {
  it('keeps the objects of nodes an edit did not touch', async () => {
    const { kernel, session } = setUp();
    await session.apply([add('relu')]);
    await session.apply([add('tanh')]);
    const before = session.snapshot().index.nodes;
    const [a, b] = [before.get('n1'), before.get('n2')];
    await session.apply([{ cmd: 'rename', node: 'n2', name: 'renamed' }]);
    const after = session.snapshot().index.nodes;
    expect(after.get('n1')).toBe(a); // a fresh copy from the kernel, the same object here
    expect(after.get('n2')).not.toBe(b);
    expect(after.get('n2')!.name).toBe('renamed');
    expect(kernel.doc.nodes[0]).not.toBe(a);
  });
});

describe('editor session requests', () => {
  it('sends a request before telling listeners it is busy', async () => {
    const kernel = new FakeKernel();
    const session = new EditorSession(kernel);
    const seen: Array<[number, boolean]> = [];
    session.subscribe(() =>
      seen.push([kernel.sent.length, session.snapshot().busy])
    );
    const done = session.apply([add('relu')]);
    expect(seen).toEqual([]); // nothing redraws before the request has gone
    await done;
    expect(seen[0]).toEqual([1, true]);
    expect(session.snapshot().busy).toBe(false);
  });
});
