/**
 * The editor widget's channel without a notebook: the document widget runs
 * its own kernel, where no ipywidgets manager listens, so this reads the
 * ipywidgets messages of the one EditorModel it is given (the comm's opening
 * state, `update`/`echo_update` state changes, `custom` messages) and sends
 * `custom` messages back — the subset of the widget protocol the editor uses.
 */
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import type { BufferLike, EditorChannel } from './kernel';

type Json = Record<string, unknown>;

export class CommChannel implements EditorChannel {
  private readonly state = new Map<string, unknown>();
  private readonly changeListeners = new Set<() => void>();
  private readonly customListeners = new Set<
    (content: unknown, buffers: BufferLike[]) => void
  >();
  /** Called once when the kernel closes the widget. */
  onClosed: (() => void) | null = null;

  constructor(
    private readonly comm: Kernel.IComm,
    open: KernelMessage.ICommOpenMsg
  ) {
    this.merge((open.content.data as Json).state);
    comm.onMsg = msg => this.receive(msg);
    comm.onClose = () => this.onClosed?.();
  }

  get(trait: string): unknown {
    return this.state.get(trait);
  }

  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  onCustom(
    listener: (content: unknown, buffers: BufferLike[]) => void
  ): () => void {
    this.customListeners.add(listener);
    return () => this.customListeners.delete(listener);
  }

  post(content: Json, buffers?: ArrayBuffer[]): void {
    this.comm.send(
      { method: 'custom', content } as unknown as Parameters<
        Kernel.IComm['send']
      >[0],
      undefined,
      buffers
    );
  }

  dispose(): void {
    this.changeListeners.clear();
    this.customListeners.clear();
    if (!this.comm.isDisposed) {
      this.comm.dispose();
    }
  }

  private merge(state: unknown): void {
    if (typeof state !== 'object' || state === null) {
      return;
    }
    for (const [k, v] of Object.entries(state)) {
      this.state.set(k, v);
    }
    for (const l of this.changeListeners) {
      l();
    }
  }

  private receive(msg: KernelMessage.ICommMsgMsg): void {
    const data = msg.content.data as Json;
    if (data.method === 'update' || data.method === 'echo_update') {
      this.merge(data.state);
    } else if (data.method === 'custom') {
      const buffers = (msg.buffers ?? []) as BufferLike[];
      for (const l of this.customListeners) {
        l(data.content, buffers);
      }
    }
  }
}
