/**
 * One layout worker started ahead of need and warmed with a small layout, so a
 * viewer's first layout does not pay for starting the worker, loading ELK and
 * compiling its hot code, and its first expand runs on warm code. A viewer takes
 * the warm transport; a new one is warmed when the page is idle again after that
 * viewer's first layout came back (starting a worker and loading ELK costs more CPU
 * than a first layout: done at once, it competed with that layout for the cores).
 */
import type { LayoutTransport, TransportFactory } from './client';
import type { FromWorker, LayoutGraphInput, ToWorker } from './messages';

/** Requests of the warm-up layout use ids below every client's (which start at 1). */
export const WARMUP_ID = 0;

/** A chain of nested groups: exercises the layered layout and the frames. */
export function warmupGraph(groups = 4, perGroup = 6): LayoutGraphInput {
  const nodes: LayoutGraphInput['nodes'] = [
    { id: 'in', width: 120, height: 50, inPorts: 0 }
  ];
  const edges: LayoutGraphInput['edges'] = [];
  const frames: NonNullable<LayoutGraphInput['frames']> = [];
  let prev = 'in';
  for (let g = 0; g < groups; g++) {
    const frame = `f${g}`;
    frames.push({ id: frame });
    for (let k = 0; k < perGroup; k++) {
      const id = `n${g}.${k}`;
      nodes.push({
        id,
        width: 140,
        height: 56,
        inPorts: k % 2 === 0 ? 2 : 1,
        parent: frame
      });
      edges.push({
        id: `e${edges.length}`,
        source: prev,
        target: id,
        targetPort: 0
      });
      if (k % 2 === 0) {
        edges.push({
          id: `e${edges.length}`,
          source: 'in',
          target: id,
          targetPort: 1
        });
      }
      prev = id;
    }
  }
  return { nodes, edges, frames };
}

export class WarmPool {
  private warm: LayoutTransport | null = null;
  private scheduled = false;

  constructor(
    private readonly create: TransportFactory,
    /** Runs work when the page has time (requestIdleCallback in the browser). */
    private readonly whenIdle: (run: () => void) => void
  ) {}

  /** Start and warm a transport unless one is ready already. */
  prime(): void {
    if (this.warm) {
      return;
    }
    let t: LayoutTransport;
    try {
      t = this.create();
    } catch {
      return; // the client's own fallback handles a worker that cannot start
    }
    // Answers to the warm-up are not the client's: ignore them until taken.
    t.onMessage = null;
    t.onFailure = () => {
      if (this.warm === t) {
        this.warm = null;
      }
      t.dispose();
    };
    const request: ToWorker = {
      type: 'layout',
      id: WARMUP_ID,
      graph: warmupGraph(),
      options: { direction: 'RIGHT' }
    };
    t.post(request);
    this.warm = t;
  }

  /**
   * The warm transport (or a new one); a new warm one is queued for the next viewer
   * once this one has answered its taker's first request (or failed, or is disposed).
   */
  take(): LayoutTransport {
    const t = this.warm ?? this.create();
    this.warm = null;
    t.onFailure = null;
    return new FirstAnswerRelay(t, () => this.primeLater());
  }

  primeLater(): void {
    if (this.scheduled) {
      return;
    }
    this.scheduled = true;
    this.whenIdle(() => {
      this.scheduled = false;
      this.prime();
    });
  }

  dispose(): void {
    this.warm?.dispose();
    this.warm = null;
  }
}

/** A taken transport that calls `settled` once: at its first answer to the taker (not
 * the warm-up's), its failure, or its disposal. */
class FirstAnswerRelay implements LayoutTransport {
  onMessage: ((message: FromWorker) => void) | null = null;
  onFailure: ((error: unknown) => void) | null = null;
  private waiting = true;

  constructor(
    private readonly inner: LayoutTransport,
    private readonly settled: () => void
  ) {
    inner.onMessage = message => {
      if (message.id !== WARMUP_ID) {
        this.settle();
      }
      this.onMessage?.(message);
    };
    inner.onFailure = error => {
      this.settle();
      this.onFailure?.(error);
    };
  }

  post(message: ToWorker): void {
    this.inner.post(message);
  }

  dispose(): void {
    this.settle();
    this.inner.dispose();
  }

  private settle(): void {
    if (this.waiting) {
      this.waiting = false;
      this.settled();
    }
  }
}
