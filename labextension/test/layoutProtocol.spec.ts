/** The typed request/response protocol: staleness, cancellation, failures, fallback. */
import ELK from 'elkjs/lib/elk.bundled.js';
import {
  LayoutCancelledError,
  LayoutClient,
  LayoutFailedError,
  LayoutTransport
} from '../src/layout/client';
import type { ElkLike } from '../src/layout/elkGraph';
import { layoutInputFromModel } from '../src/layout/fromModel';
import { InProcessTransport } from '../src/layout/inProcess';
import {
  FromWorker,
  isFromWorker,
  isToWorker,
  LayoutGraphInput,
  LayoutResult,
  ToWorker
} from '../src/layout/messages';
import { LayoutWorkerHost } from '../src/layout/workerHost';
import { buildGraphModel } from '../src/model/graphModel';
import { smallGraph } from './fixtures';

const graph: LayoutGraphInput = layoutInputFromModel(
  buildGraphModel(smallGraph())
);
const empty: LayoutResult = { nodes: [], width: 0, height: 0 };
const RIGHT = { direction: 'RIGHT' as const };

/** A transport whose answers the test sends by hand. */
class FakeTransport implements LayoutTransport {
  onMessage: ((m: FromWorker) => void) | null = null;
  onFailure: ((e: unknown) => void) | null = null;
  sent: ToWorker[] = [];
  disposed = false;
  post(m: ToWorker): void {
    this.sent.push(m);
  }
  dispose(): void {
    this.disposed = true;
  }
  answer(m: FromWorker): void {
    this.onMessage?.(m);
  }
}

function lastRequestId(t: FakeTransport): number {
  const reqs = t.sent.filter(m => m.type === 'layout');
  return reqs[reqs.length - 1].id;
}

describe('message guards', () => {
  it('accept only well-formed messages', () => {
    expect(isToWorker({ type: 'cancel', id: 1 })).toBe(true);
    expect(isToWorker({ type: 'prefetch', id: 0, graph, options: RIGHT })).toBe(
      true
    );
    expect(isToWorker({ type: 'layout', id: '1' })).toBe(false);
    expect(isToWorker(null)).toBe(false);
    expect(
      isFromWorker({ type: 'done', id: 2, result: empty, elapsedMs: 1 })
    ).toBe(true);
    expect(isFromWorker({ cmd: 'layout', id: 2 })).toBe(false);
  });
});

describe('LayoutClient', () => {
  it('resolves the answer to its request', async () => {
    const t = new FakeTransport();
    const client = new LayoutClient({ primary: () => t });
    const p = client.request(graph, RIGHT);
    expect(t.sent[0]).toMatchObject({ type: 'layout', graph, options: RIGHT });
    t.answer({
      type: 'done',
      id: lastRequestId(t),
      result: empty,
      elapsedMs: 5
    });
    await expect(p).resolves.toBe(empty);
    expect(client.lastElapsedMs).toBe(5);
  });

  it('cancels a superseded request and ignores its late answer', async () => {
    const t = new FakeTransport();
    const client = new LayoutClient({ primary: () => t });
    const first = client.request(graph, RIGHT);
    const firstId = lastRequestId(t);
    const second = client.request(graph, { direction: 'DOWN' });
    const secondId = lastRequestId(t);
    expect(secondId).toBeGreaterThan(firstId);
    await expect(first).rejects.toBeInstanceOf(LayoutCancelledError);
    expect(t.sent).toContainEqual({ type: 'cancel', id: firstId });

    const stale: LayoutResult = { nodes: [], width: 1, height: 1 };
    t.answer({ type: 'done', id: firstId, result: stale, elapsedMs: 1 });
    t.answer({ type: 'skipped', id: firstId });
    t.answer({ type: 'done', id: secondId, result: empty, elapsedMs: 1 });
    await expect(second).resolves.toBe(empty);
  });

  it('rejects with the worker’s error message', async () => {
    const t = new FakeTransport();
    const client = new LayoutClient({ primary: () => t });
    const p = client.request(graph, RIGHT);
    t.answer({ type: 'error', id: lastRequestId(t), message: 'elk exploded' });
    await expect(p).rejects.toEqual(
      expect.objectContaining({ message: 'elk exploded' })
    );
    await expect(p).rejects.toBeInstanceOf(LayoutFailedError);
  });

  it('falls back once when the worker cannot start, and says so', async () => {
    const fallback = new FakeTransport();
    const warn = jest.fn();
    const client = new LayoutClient({
      primary: () => {
        throw new Error('Worker is not defined');
      },
      fallback: () => fallback,
      warn
    });
    const p = client.request(graph, RIGHT);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(client.isFallback).toBe(true);
    fallback.answer({
      type: 'done',
      id: lastRequestId(fallback),
      result: empty,
      elapsedMs: 0
    });
    await expect(p).resolves.toBe(empty);
  });

  it('resends the pending request when the worker dies later', async () => {
    const worker = new FakeTransport();
    const fallback = new FakeTransport();
    const client = new LayoutClient({
      primary: () => worker,
      fallback: () => fallback,
      warn: () => undefined
    });
    const p = client.request(graph, RIGHT);
    worker.onFailure?.(new Error('script 404'));
    expect(worker.disposed).toBe(true);
    expect(fallback.sent).toHaveLength(1);
    fallback.answer({
      type: 'done',
      id: lastRequestId(fallback),
      result: empty,
      elapsedMs: 0
    });
    await expect(p).resolves.toBe(empty);
  });

  it('fails the request when no transport works', async () => {
    const client = new LayoutClient({
      primary: () => {
        throw new Error('no workers here');
      }
    });
    await expect(client.request(graph, RIGHT)).rejects.toThrow(
      /no workers here/
    );
  });

  it('rejects pending work on dispose', async () => {
    const t = new FakeTransport();
    const client = new LayoutClient({ primary: () => t });
    const p = client.request(graph, RIGHT);
    client.dispose();
    await expect(p).rejects.toBeInstanceOf(LayoutCancelledError);
    expect(t.disposed).toBe(true);
    await expect(client.request(graph, RIGHT)).rejects.toThrow(/disposed/);
  });
});

describe('LayoutWorkerHost', () => {
  const elk = new ELK() as unknown as ElkLike;

  function manualHost(layout: ElkLike = elk) {
    const posted: FromWorker[] = [];
    const queue: (() => void)[] = [];
    const host = new LayoutWorkerHost(
      layout,
      m => posted.push(m),
      run => queue.push(run)
    );
    const flush = async () => {
      while (queue.length) {
        queue.shift()!();
      }
      // let the ELK promises settle
      for (let i = 0; i < 50 && posted.length < expectedAnswers; i++) {
        await new Promise(r => setTimeout(r, 20));
      }
    };
    let expectedAnswers = 0;
    return {
      host,
      posted,
      flush: async (n: number) => {
        expectedAnswers = n;
        await flush();
      }
    };
  }

  it('skips requests superseded before they started', async () => {
    const { host, posted, flush } = manualHost();
    host.handle({ type: 'layout', id: 1, graph, options: RIGHT });
    host.handle({ type: 'layout', id: 2, graph, options: RIGHT });
    await flush(2);
    expect(posted.find(m => m.id === 1)?.type).toBe('skipped');
    const done = posted.find(m => m.id === 2);
    expect(done?.type).toBe('done');
    if (done?.type === 'done') {
      expect(done.result.nodes).toHaveLength(7);
    }
  });

  it('skips cancelled requests and ignores foreign messages', async () => {
    const { host, posted, flush } = manualHost();
    host.handle({ cmd: 'layout', id: 9 });
    host.handle({ type: 'layout', id: 1, graph, options: RIGHT });
    host.handle({ type: 'cancel', id: 1 });
    await flush(1);
    expect(posted).toEqual([{ type: 'skipped', id: 1 }]);
  });

  /** An ELK that records the direction of each graph it lays out. */
  function recording(): { elk: ElkLike; runs: string[] } {
    const runs: string[] = [];
    return {
      runs,
      elk: {
        layout: g => {
          runs.push(String(g.layoutOptions?.['elk.direction']));
          return elk.layout(g);
        }
      }
    };
  }

  async function until(check: () => boolean): Promise<void> {
    for (let i = 0; i < 100 && !check(); i++) {
      await new Promise(r => setTimeout(r, 20));
    }
  }

  it('lays a prefetch out only after the queued layout request, answering nothing', async () => {
    const { elk: rec, runs } = recording();
    const { host, posted, flush } = manualHost(rec);
    host.handle({
      type: 'prefetch',
      id: 0,
      graph,
      options: { direction: 'DOWN' }
    });
    host.handle({ type: 'layout', id: 1, graph, options: RIGHT });
    await flush(1);
    // The prefetch was put back behind the request; it runs once that one is done.
    expect(runs).toEqual(['RIGHT']);
    await flush(1);
    await until(() => host.prefetched === 1);
    expect(runs).toEqual(['RIGHT', 'DOWN']);
    expect(posted.map(m => m.type)).toEqual(['done']);
  });

  it('answers a request for a prefetched graph from the cache', async () => {
    const { elk: rec, runs } = recording();
    const { host, posted, flush } = manualHost(rec);
    host.handle({ type: 'prefetch', id: 0, graph, options: RIGHT });
    await flush(0);
    await until(() => host.prefetched === 1);
    expect(runs).toEqual(['RIGHT']);
    host.handle({ type: 'layout', id: 1, graph, options: RIGHT });
    await flush(1);
    expect(runs).toEqual(['RIGHT']);
    expect(posted.map(m => m.type)).toEqual(['done']);
  });

  it('answers ELK failures with an error message', async () => {
    const broken: ElkLike = {
      layout: () => Promise.reject(new Error('bad graph'))
    };
    const { host, posted, flush } = manualHost(broken);
    host.handle({ type: 'layout', id: 1, graph, options: RIGHT });
    await flush(1);
    expect(posted).toEqual([{ type: 'error', id: 1, message: 'bad graph' }]);
  });
});

describe('client + in-process host + real ELK', () => {
  it('lays out the newest of several rapid requests', async () => {
    const client = new LayoutClient({
      primary: () =>
        new InProcessTransport(async () => new ELK() as unknown as ElkLike)
    });
    const a = client.request(graph, RIGHT);
    const b = client.request(graph, RIGHT);
    const c = client.request(graph, { direction: 'DOWN' });
    await expect(a).rejects.toBeInstanceOf(LayoutCancelledError);
    await expect(b).rejects.toBeInstanceOf(LayoutCancelledError);
    const result = await c;
    expect(result.nodes.map(n => n.id).sort()).toEqual([
      'W',
      'add',
      'b',
      'loss',
      'mm',
      'relu',
      'x'
    ]);
    client.dispose();
  });
});
