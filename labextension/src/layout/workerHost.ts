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
    this.latestId = Math.max(this.latestId, data.id);
    this.schedule(() => {
      void this.run(data);
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

export function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    return err.message || String(err);
  }
  if (typeof err === 'object' && err !== null && 'message' in err) {
    return String((err as { message: unknown }).message);
  }
  return String(err);
}
