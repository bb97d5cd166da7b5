/**
 * A transport that runs the layout host on the main thread: the fallback when
 * the web worker cannot start, and what the node tests use.
 */
import type { LayoutTransport } from './client';
import type { ElkLike } from './elkGraph';
import type { FromWorker, ToWorker } from './messages';
import { LayoutWorkerHost } from './workerHost';

export class InProcessTransport implements LayoutTransport {
  onMessage: ((message: FromWorker) => void) | null = null;
  onFailure: ((error: unknown) => void) | null = null;
  private host: Promise<LayoutWorkerHost>;
  private disposed = false;

  /** `loadElk` is called once, lazily (a dynamic import keeps ELK out of the main bundle). */
  constructor(loadElk: () => Promise<ElkLike>) {
    this.host = loadElk().then(
      elk =>
        new LayoutWorkerHost(elk, message => {
          if (!this.disposed) {
            this.onMessage?.(message);
          }
        })
    );
    this.host.catch(err => {
      if (!this.disposed) {
        this.onFailure?.(err);
      }
    });
  }

  post(message: ToWorker): void {
    // Copy like structured clone does, so the host never shares objects with the page.
    const copy = JSON.parse(JSON.stringify(message)) as ToWorker;
    void this.host.then(host => host.handle(copy)).catch(() => undefined);
  }

  dispose(): void {
    this.disposed = true;
  }
}
