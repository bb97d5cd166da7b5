import ELK from 'elkjs/lib/elk.bundled.js';
import { LayoutClient, type LayoutTransport } from '../src/layout/client';
import type { ElkLike } from '../src/layout/elkGraph';
import { InProcessTransport } from '../src/layout/inProcess';
import type { FromWorker } from '../src/layout/messages';
import { WarmPool, warmupGraph, WARMUP_ID } from '../src/layout/warmPool';

function inProcess(created: InProcessTransport[]): () => LayoutTransport {
  return () => {
    const t = new InProcessTransport(
      async () => new ELK() as unknown as ElkLike
    );
    created.push(t);
    return t;
  };
}

describe('warm layout pool', () => {
  it('builds a valid warm-up graph with frames', () => {
    const g = warmupGraph(2, 3);
    expect(g.nodes).toHaveLength(7);
    expect(g.frames).toHaveLength(2);
    const ids = new Set(g.nodes.map(n => n.id));
    for (const e of g.edges) {
      expect(ids.has(e.source) && ids.has(e.target)).toBe(true);
    }
  });

  it('hands out the primed transport and primes the next when idle', async () => {
    const created: InProcessTransport[] = [];
    const idle: (() => void)[] = [];
    const pool = new WarmPool(inProcess(created), run => idle.push(run));
    pool.prime();
    pool.prime(); // already primed: no second transport
    expect(created).toHaveLength(1);
    const first = pool.take();
    first.dispose(); // a taker gone before any answer: the next is primed anyway
    expect(idle).toHaveLength(1);
    idle[0]();
    expect(created).toHaveLength(2);
    const second = pool.take();
    const answer = new Promise<FromWorker>(resolve => {
      second.onMessage = m => (m.id === WARMUP_ID ? undefined : resolve(m));
    });
    second.post({
      type: 'layout',
      id: 1,
      graph: warmupGraph(1, 1),
      options: { direction: 'RIGHT' }
    });
    expect(await answer).toMatchObject({ id: 1 });
    second.dispose();
    pool.dispose();
  });

  it('primes the next transport only after the first answer to its taker', async () => {
    const created: InProcessTransport[] = [];
    const idle: (() => void)[] = [];
    const pool = new WarmPool(inProcess(created), run => idle.push(run));
    pool.prime();
    const client = new LayoutClient({ primary: () => pool.take() });
    const layout = client.request(
      { nodes: [{ id: 'a', width: 80, height: 30, inPorts: 0 }], edges: [] },
      { direction: 'RIGHT' }
    );
    // Taken and asked, not answered: no worker starts beside this first layout.
    expect(idle).toHaveLength(0);
    await layout;
    expect(idle).toHaveLength(1);
    idle[0]();
    expect(created).toHaveLength(2);
    client.dispose();
    pool.dispose();
  });

  it('runs the warm-up layout, and a client on the warm transport gets its own answer', async () => {
    const created: InProcessTransport[] = [];
    const pool = new WarmPool(inProcess(created), () => undefined);
    pool.prime();
    const t = created[0];
    const seen: FromWorker[] = [];
    const warmDone = new Promise<void>(resolve => {
      t.onMessage = m => {
        seen.push(m);
        resolve();
      };
    });
    await warmDone;
    expect(seen[0]).toMatchObject({ type: 'done', id: WARMUP_ID });
    const client = new LayoutClient({ primary: () => pool.take() });
    const result = await client.request(
      {
        nodes: [
          { id: 'a', width: 100, height: 40, inPorts: 0 },
          { id: 'b', width: 100, height: 40, inPorts: 1 }
        ],
        edges: [{ id: 'e', source: 'a', target: 'b', targetPort: 0 }]
      },
      { direction: 'DOWN' }
    );
    const a = result.nodes.find(n => n.id === 'a');
    const b = result.nodes.find(n => n.id === 'b');
    expect(a && b && b.y > a.y).toBe(true);
    client.dispose();
  });

  it('ignores the warm-up answer when a client request follows at once', async () => {
    const created: InProcessTransport[] = [];
    const pool = new WarmPool(inProcess(created), () => undefined);
    pool.prime();
    const client = new LayoutClient({ primary: () => pool.take() });
    const result = await client.request(
      { nodes: [{ id: 'only', width: 80, height: 30, inPorts: 0 }], edges: [] },
      { direction: 'RIGHT' }
    );
    expect(result.nodes.map(n => n.id)).toEqual(['only']);
    client.dispose();
  });
});
