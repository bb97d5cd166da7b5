/**
 * The web-worker transport. Kept in its own module because `import.meta.url`
 * only exists in the browser bundle (webpack 5 turns the `new Worker(new
 * URL(...))` expression into a separate worker chunk).
 */
import type { LayoutTransport } from './client';
import { isFromWorker, type FromWorker, type ToWorker } from './messages';

export class WebWorkerTransport implements LayoutTransport {
  onMessage: ((message: FromWorker) => void) | null = null;
  onFailure: ((error: unknown) => void) | null = null;
  private worker: Worker;

  constructor() {
    this.worker = new Worker(new URL('./layout.worker.js', import.meta.url), {
      name: 'vizflow-layout'
    });
    this.worker.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (isFromWorker(event.data)) {
        this.onMessage?.(event.data);
      }
    });
    this.worker.addEventListener('error', (event: ErrorEvent) => {
      event.preventDefault();
      this.onFailure?.(
        event.error ?? new Error(event.message || 'layout worker error')
      );
    });
    this.worker.addEventListener('messageerror', () => {
      this.onFailure?.(new Error('layout worker could not read a message'));
    });
  }

  post(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  dispose(): void {
    this.worker.terminate();
  }
}
