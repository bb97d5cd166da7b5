/**
 * The page's side of the layout protocol.
 *
 * A LayoutClient belongs to one viewer. `request()` sends a typed request with
 * a fresh id; a newer request supersedes the older one, whose promise is
 * rejected with LayoutCancelledError and whose answer, should it still come,
 * is ignored. If the worker cannot start (or dies) the client logs it once and
 * carries on with a fallback transport that lays out on the main thread.
 */
import {
  FromWorker,
  isFromWorker,
  LayoutGraphInput,
  LayoutOptions,
  LayoutRequest,
  LayoutResult,
  ToWorker
} from './messages';

/** Something that carries messages to a layout host and back (a Worker, or an in-process host). */
export interface LayoutTransport {
  post(message: ToWorker): void;
  /** Called by the transport with every answer. */
  onMessage: ((message: FromWorker) => void) | null;
  /** Called by the transport when it failed for good (e.g. the worker script did not load). */
  onFailure: ((error: unknown) => void) | null;
  dispose(): void;
}

export type TransportFactory = () => LayoutTransport;

export class LayoutCancelledError extends Error {
  constructor(readonly requestId: number) {
    super(`layout request ${requestId} was superseded`);
    this.name = 'LayoutCancelledError';
  }
}

export class LayoutFailedError extends Error {
  constructor(
    readonly requestId: number,
    message: string
  ) {
    super(message);
    this.name = 'LayoutFailedError';
  }
}

interface Pending {
  request: LayoutRequest;
  resolve: (result: LayoutResult) => void;
  reject: (error: Error) => void;
}

export interface LayoutClientOptions {
  /** The preferred transport (the web worker). */
  primary: TransportFactory;
  /** Used when the primary transport cannot start or fails (main-thread layout). */
  fallback?: TransportFactory;
  /** Where to report the switch to the fallback. */
  warn?: (message: string, error: unknown) => void;
}

export class LayoutClient {
  private nextId = 1;
  private pending: Pending | null = null;
  private transport: LayoutTransport | null = null;
  private usingFallback = false;
  private disposed = false;
  /** Elapsed time reported for the last finished layout, in milliseconds. */
  lastElapsedMs: number | null = null;

  constructor(private readonly options: LayoutClientOptions) {}

  /** True once the client has switched to the main-thread fallback. */
  get isFallback(): boolean {
    return this.usingFallback;
  }

  /** Lay out a graph. Rejects with LayoutCancelledError if a newer request supersedes it. */
  request(
    graph: LayoutGraphInput,
    options: LayoutOptions
  ): Promise<LayoutResult> {
    if (this.disposed) {
      return Promise.reject(new Error('layout client is disposed'));
    }
    const request: LayoutRequest = {
      type: 'layout',
      id: this.nextId++,
      graph,
      options
    };
    this.supersede();
    return new Promise<LayoutResult>((resolve, reject) => {
      this.pending = { request, resolve, reject };
      this.send(request);
    });
  }

  /**
   * Lay a graph out ahead of need, into the worker's cache: a later request for the
   * same graph is then answered at once. Not on the main-thread fallback, where it
   * would hold up the page.
   */
  prefetch(graph: LayoutGraphInput, options: LayoutOptions): void {
    if (this.disposed || this.usingFallback || !this.transport) {
      return;
    }
    this.send({ type: 'prefetch', id: 0, graph, options });
  }

  /** Cancel the pending request, if any. */
  cancel(): void {
    this.supersede();
  }

  dispose(): void {
    this.supersede();
    this.disposed = true;
    this.transport?.dispose();
    this.transport = null;
  }

  private supersede(): void {
    const old = this.pending;
    if (!old) {
      return;
    }
    this.pending = null;
    this.transport?.post({ type: 'cancel', id: old.request.id });
    old.reject(new LayoutCancelledError(old.request.id));
  }

  private send(message: ToWorker): void {
    const transport = this.ensureTransport();
    if (!transport) {
      return;
    }
    try {
      transport.post(message);
    } catch (err) {
      this.fail(err);
    }
  }

  private ensureTransport(): LayoutTransport | null {
    if (this.transport) {
      return this.transport;
    }
    const factory = this.usingFallback
      ? this.options.fallback
      : this.options.primary;
    if (!factory) {
      this.rejectPending('no layout transport is available');
      return null;
    }
    try {
      this.transport = factory();
    } catch (err) {
      this.fail(err);
      return this.transport;
    }
    this.transport.onMessage = message => this.receive(message);
    this.transport.onFailure = error => this.fail(error);
    return this.transport;
  }

  /** The current transport failed: switch to the fallback once and resend the pending request. */
  private fail(error: unknown): void {
    this.transport?.dispose();
    this.transport = null;
    if (this.usingFallback || !this.options.fallback) {
      this.rejectPending(`layout failed: ${describe(error)}`);
      return;
    }
    this.usingFallback = true;
    (this.options.warn ?? defaultWarn)(
      'vizflow: the layout web worker could not start; laying out on the main thread instead',
      error
    );
    if (this.pending) {
      this.send(this.pending.request);
    }
  }

  private rejectPending(message: string): void {
    const p = this.pending;
    if (p) {
      this.pending = null;
      p.reject(new LayoutFailedError(p.request.id, message));
    }
  }

  private receive(message: unknown): void {
    if (!isFromWorker(message)) {
      return;
    }
    const p = this.pending;
    if (!p || p.request.id !== message.id) {
      return; // an answer to a superseded request: ignore it
    }
    if (message.type === 'skipped') {
      return; // only stale requests are skipped; a newer one is pending elsewhere
    }
    this.pending = null;
    if (message.type === 'done') {
      this.lastElapsedMs = message.elapsedMs;
      p.resolve(message.result);
    } else {
      p.reject(new LayoutFailedError(message.id, message.message));
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  if (typeof error === 'object' && error !== null && 'message' in error) {
    return String((error as { message: unknown }).message);
  }
  return String(error);
}

function defaultWarn(message: string, error: unknown): void {
  console.warn(message, error);
}
