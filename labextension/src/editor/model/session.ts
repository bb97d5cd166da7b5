/**
 * The editor's core, plain TypeScript: the document mirror, the history and
 * one queue of kernel requests. Commands go out one request at a time, each
 * based on the newest version, so undo, redo and edits never cross; a refused
 * request changes nothing (the kernel's rule) and leaves the history as it was.
 * The React view reads `snapshot()` and calls the methods; it keeps no state of
 * its own that the history or the kernel needs.
 */
import type { EditorCommand } from './commands';
import {
  applyPatch,
  DocIndex,
  EMPTY_DOCUMENT,
  reuseUnchanged,
  type EditorDocument,
  type EditorDocumentPatch
} from './document';
import { History } from './history';

/** What the session needs of an EditorCommandReply. */
export interface CommandReply {
  version: number;
  /** Undoes the step exactly. */
  inverse: EditorCommand[];
  /** The commands as applied, with the ids the kernel chose (a redo makes the same ids). */
  redo: EditorCommand[];
}

/** How the session reaches the kernel (the widget model, or a fake in tests). */
export interface EditorTransport {
  command(
    baseVersion: number,
    commands: EditorCommand[]
  ): Promise<CommandReply>;
}

export interface SessionSnapshot {
  index: DocIndex;
  canUndo: boolean;
  canRedo: boolean;
  undoLabel: string | null;
  redoLabel: string | null;
  /** Requests sent and not answered yet. */
  busy: boolean;
  /** The last refusal, shown until the next successful request. */
  error: string | null;
}

export class EditorSession {
  readonly history = new History();
  private index = new DocIndex(EMPTY_DOCUMENT);
  private queue: Promise<unknown> = Promise.resolve();
  private inFlight = 0;
  private error: string | null = null;
  private listeners = new Set<() => void>();
  private snap: SessionSnapshot | null = null;
  /** The newest version the kernel told of (a reply may come before its document). */
  private version = 0;
  /** The whole document last given, as it came (the index holds it with unchanged parts reused). */
  private received: EditorDocument | null = null;

  constructor(
    private readonly transport: EditorTransport,
    private readonly clock: () => number = () => Date.now()
  ) {}

  /**
   * The whole document from the kernel (first open, a file loaded, a resync). One older
   * than the version held is ignored: the widget's trait keeps the first document while
   * patches move the session on.
   */
  setDocument(doc: EditorDocument): void {
    if (doc === this.received || doc.version < this.index.doc.version) {
      return;
    }
    this.received = doc;
    this.index = new DocIndex(reuseUnchanged(this.index.doc, doc));
    this.version = Math.max(this.version, doc.version);
    this.changed();
  }

  /**
   * A change from the kernel (after a request, or a Python edit). Returns false when the
   * patch does not follow the version held (the caller then asks for the whole document);
   * one already held is ignored.
   */
  applyPatch(patch: EditorDocumentPatch): boolean {
    const held = this.index.doc.version;
    if (patch.version <= held && patch.base_version < held) {
      return true;
    }
    if (patch.base_version !== held) {
      return false;
    }
    this.index = new DocIndex(applyPatch(this.index.doc, patch));
    this.version = Math.max(this.version, patch.version);
    this.changed();
    return true;
  }

  get document(): EditorDocument {
    return this.index.doc;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The same object until something changes (for useSyncExternalStore). */
  snapshot(): SessionSnapshot {
    if (!this.snap) {
      this.snap = {
        index: this.index,
        canUndo: this.history.canUndo,
        canRedo: this.history.canRedo,
        undoLabel: this.history.undoLabel,
        redoLabel: this.history.redoLabel,
        busy: this.inFlight > 0,
        error: this.error
      };
    }
    return this.snap;
  }

  /** Apply commands as one step; resolves true when the kernel applied them. */
  apply(commands: EditorCommand[]): Promise<boolean> {
    if (commands.length === 0) {
      return Promise.resolve(false);
    }
    return this.enqueue(async () => {
      const reply = await this.send(commands);
      if (reply) {
        this.history.record(reply.redo, reply.inverse, this.clock());
      }
      return reply !== null;
    });
  }

  /** Apply commands outside the history (collapse, expand): not an edit to undo. */
  applyQuietly(commands: EditorCommand[]): Promise<boolean> {
    return this.enqueue(async () => (await this.send(commands)) !== null);
  }

  /** Undo the last step; resolves false when there was none or the kernel refused. */
  undo(): Promise<boolean> {
    return this.enqueue(async () => {
      const step = this.history.takeUndo();
      if (!step) {
        return false;
      }
      const reply = await this.send(step.undo);
      if (reply) {
        this.history.undone(step, reply.inverse);
      } else {
        this.history.restore(step, 'undo');
      }
      return reply !== null;
    });
  }

  redo(): Promise<boolean> {
    return this.enqueue(async () => {
      const step = this.history.takeRedo();
      if (!step) {
        return false;
      }
      const reply = await this.send(step.redo);
      if (reply) {
        this.history.redone(step, reply.inverse);
      } else {
        this.history.restore(step, 'redo');
      }
      return reply !== null;
    });
  }

  /** A field lost focus: its next edit is a new step. */
  sealBurst(): void {
    this.history.seal();
  }

  /** The document was replaced whole (loaded or reverted): older steps no longer apply. */
  resetHistory(): void {
    this.history.clear();
    this.changed();
  }

  dispose(): void {
    this.listeners.clear();
  }

  private async send(commands: EditorCommand[]): Promise<CommandReply | null> {
    try {
      const reply = await this.transport.command(this.version, commands);
      this.version = Math.max(this.version, reply.version);
      this.error = null;
      return reply;
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
      return null;
    }
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    this.inFlight += 1;
    const run = this.queue.then(job);
    this.queue = run.catch(() => undefined);
    // told once the job has sent its request: the view's redraw for `busy` (a whole
    // editor render) comes after the request is on its way, not before
    void Promise.resolve().then(() => this.changed());
    return run.finally(() => {
      this.inFlight -= 1;
      this.changed();
    });
  }

  private changed(): void {
    this.snap = null;
    for (const l of this.listeners) {
      l();
    }
  }
}
