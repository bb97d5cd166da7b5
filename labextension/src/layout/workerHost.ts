/**
 * The worker's side of the layout protocol, independent of the worker global
 * so it can be tested in node: it receives typed requests, runs the newest
 * one, skips superseded or cancelled ones, and posts typed answers.
 */
import { ElkLike, LayoutCache, runElkLayout } from './elkGraph';
import { FromWorker, isToWorker, LayoutRequest } from './messages';

export type Post = (message: FromWorker) => void;
export type Schedule = (run: () => void) => void;
export type Clock = () => number;

export class LayoutWorkerHost {
  private latestId = -1;
  private cancelled = new Set<number>();
  /** Layout requests received and not started yet. */
  private queued = 0;
  /** Prefetches waiting for an idle moment, newest last. */
  private prefetches: {
    graph: LayoutRequest['graph'];
    options: LayoutRequest['options'];
  }[] = [];
  private prefetchScheduled = false;
  /** Prefetches laid out (for tests). */
  prefetched = 0;
  /** Laid-out levels (one frame's contents), reused when a group is expanded. */
  readonly cache = new LayoutCache();

  constructor(
    private readonly elk: ElkLike,
    private readonly post: Post,
    /** Defers work so that requests queued behind this one can supersede it. */
    private readonly schedule: Schedule = run => setTimeout(run, 0),
    private readonly now: Clock = () => Date.now()
  ) {}

  /** Handle one message from the page; unknown messages are ignored. */
  handle(data: unknown): void {
    if (!isToWorker(data)) {
      return;
    }
    if (data.type === 'cancel') {
      this.cancelled.add(data.id);
      return;
    }
    if (data.type === 'prefetch') {
      this.prefetches.push({ graph: data.graph, options: data.options });
      if (this.prefetches.length > MAX_PREFETCHES) {
        this.prefetches.shift();
      }
      this.schedulePrefetch();
      return;
    }
    this.latestId = Math.max(this.latestId, data.id);
    this.queued++;
    this.schedule(() => {
      this.queued--;
      void this.run(data).then(() => this.schedulePrefetch());
    });
  }

  /** Lay out one waiting prefetch, unless a layout request is queued (it comes first). */
  private schedulePrefetch(): void {
    if (this.prefetchScheduled || this.prefetches.length === 0) {
      return;
    }
    this.prefetchScheduled = true;
    this.schedule(() => {
      this.prefetchScheduled = false;
      if (this.queued > 0) {
        return; // that request's run schedules the prefetches again
      }
      const next = this.prefetches.pop();
      if (!next) {
        return;
      }
      void runElkLayout(this.elk, next.graph, next.options, this.cache).then(
        () => {
          this.prefetched++;
          this.schedulePrefetch();
        },
        () => this.schedulePrefetch()
      );
    });
  }

  private isStale(id: number): boolean {
    return id < this.latestId || this.cancelled.has(id);
  }

  private async run(request: LayoutRequest): Promise<void> {
    if (this.isStale(request.id)) {
      this.cancelled.delete(request.id);
      this.post({ type: 'skipped', id: request.id });
      return;
    }
    const start = this.now();
    try {
      const result = await runElkLayout(
        this.elk,
        request.graph,
        request.options,
        this.cache
      );
      if (this.isStale(request.id)) {
        this.cancelled.delete(request.id);
        this.post({ type: 'skipped', id: request.id });
        return;
      }
      this.post({
        type: 'done',
        id: request.id,
        result,
        elapsedMs: this.now() - start
      });
    } catch (err) {
      this.post({ type: 'error', id: request.id, message: errorMessage(err) });
    }
  }
}

/** Prefetches kept waiting; older ones are dropped. */
const MAX_PREFETCHES = 8;

export function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    return err.message || String(err);
  }
  if (typeof err === 'object' && err !== null && 'message' in err) {
    return String((err as { message: unknown }).message);
  }
  return String(err);
}
