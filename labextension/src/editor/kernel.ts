/**
 * The editor's requests to the kernel over a widget channel: each request is
 * numbered and answered once, by its reply or by an ErrorReply (then nothing
 * changed in the kernel), or fails after a timeout. The channel is the
 * ipywidgets model in a notebook, or the document widget's own comm client.
 */
import type {
  EditorCommand,
  EditorCommandReply,
  EditorDocument,
  EditorDocumentPatch,
  EditorDebugReply,
  EditorInputSource,
  EditorLoadReply,
  EditorProbeReply,
  EditorProbeTarget,
  EditorRunReply,
  EditorSaveReply,
  EditorSyncReply,
  EditorTrainReply,
  EditorTrainRequest
} from '../protocol';
import type { CommandReply, EditorTransport } from './model/session';

export type BufferLike = ArrayBuffer | ArrayBufferView;

/** What the editor needs of a widget model: its traits and custom messages. */
export interface EditorChannel {
  get(trait: string): unknown;
  /** Calls `listener` when any trait changes; returns the unsubscribe. */
  onChange(listener: () => void): () => void;
  post(content: Record<string, unknown>, buffers?: ArrayBuffer[]): void;
  onCustom(
    listener: (content: unknown, buffers: BufferLike[]) => void
  ): () => void;
}

const TIMEOUTS_MS = {
  editor_command: 30_000,
  editor_sync: 60_000,
  editor_probe: 10_000,
  editor_run: 600_000,
  editor_train: 3_600_000,
  editor_debug: 120_000,
  editor_save: 120_000,
  editor_load: 120_000
} as const;

type RequestKind = keyof typeof TIMEOUTS_MS;

interface Pending {
  kind: RequestKind;
  resolve: (reply: {
    content: Record<string, unknown>;
    buffers: BufferLike[];
  }) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export type TrainOptions = Pick<
  EditorTrainRequest,
  'loss' | 'optimizer' | 'lr' | 'steps' | 'inputs'
>;

export class EditorKernel implements EditorTransport {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly patchListeners = new Set<
    (patch: EditorDocumentPatch) => void
  >();
  private readonly unsubscribe: () => void;

  constructor(private readonly channel: EditorChannel) {
    this.unsubscribe = channel.onCustom((c, b) => this.receive(c, b));
  }

  async command(
    baseVersion: number,
    commands: EditorCommand[]
  ): Promise<CommandReply> {
    const { content } = await this.request('editor_command', {
      base_version: baseVersion,
      commands
    });
    const reply = content as unknown as EditorCommandReply;
    return { version: reply.version, inverse: reply.inverse, redo: reply.redo };
  }

  /** The kernel's document now, or null when `version` is the one it holds. */
  async sync(version: number): Promise<EditorDocument | null> {
    const { content } = await this.request('editor_sync', { version });
    return (content as unknown as EditorSyncReply).document;
  }

  /** Calls `listener` with each change the kernel sends; returns the unsubscribe. */
  onPatch(listener: (patch: EditorDocumentPatch) => void): () => void {
    this.patchListeners.add(listener);
    return () => this.patchListeners.delete(listener);
  }

  async probe(
    source: string,
    sourcePort: number
  ): Promise<EditorProbeTarget[]> {
    const { content } = await this.request('editor_probe', {
      source,
      source_port: sourcePort
    });
    return (content as unknown as EditorProbeReply).targets;
  }

  async run(
    inputs: Record<string, EditorInputSource>,
    until: string | null
  ): Promise<EditorRunReply> {
    const { content } = await this.request('editor_run', { inputs, until });
    return content as unknown as EditorRunReply;
  }

  async train(options: TrainOptions): Promise<EditorTrainReply> {
    const { content } = await this.request('editor_train', { ...options });
    return content as unknown as EditorTrainReply;
  }

  /** Open the graph in the debugger (fed as a run is): the reply names its widget's model. */
  async debug(
    inputs: Record<string, EditorInputSource>
  ): Promise<EditorDebugReply> {
    const { content } = await this.request('editor_debug', { inputs });
    return content as unknown as EditorDebugReply;
  }

  /** The document as .vfg.json text, and the sidecar .npz bytes when it has arrays. */
  async save(): Promise<{ text: string; arrays: ArrayBuffer | null }> {
    const { content, buffers } = await this.request('editor_save', {});
    const reply = content as unknown as EditorSaveReply;
    return {
      text: reply.text,
      arrays: reply.has_arrays && buffers.length ? bytesOf(buffers[0]) : null
    };
  }

  /** Replace the document by a file's text (sent as data, never as code). */
  async load(text: string, arrays: ArrayBuffer | null): Promise<number> {
    const { content } = await this.request(
      'editor_load',
      { text, has_arrays: arrays !== null },
      arrays ? [arrays] : undefined
    );
    return (content as unknown as EditorLoadReply).version;
  }

  dispose(): void {
    this.unsubscribe();
    this.patchListeners.clear();
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error('the editor was closed'));
    }
    this.pending.clear();
  }

  private request(
    kind: RequestKind,
    fields: Record<string, unknown>,
    buffers?: ArrayBuffer[]
  ): Promise<{ content: Record<string, unknown>; buffers: BufferLike[] }> {
    const requestId = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.pending.delete(requestId)) {
          reject(new Error('the kernel did not answer (is it busy or gone?)'));
        }
      }, TIMEOUTS_MS[kind]);
      this.pending.set(requestId, { kind, resolve, reject, timer });
      this.channel.post({ kind, request_id: requestId, ...fields }, buffers);
    });
  }

  private receive(content: unknown, buffers: BufferLike[]): void {
    if (typeof content !== 'object' || content === null) {
      return;
    }
    const c = content as Record<string, unknown>;
    if (c.kind === 'editor_patch') {
      for (const l of this.patchListeners) {
        l(c as unknown as EditorDocumentPatch);
      }
      return;
    }
    if (typeof c.request_id !== 'number') {
      return;
    }
    const p = this.pending.get(c.request_id);
    if (!p) {
      return;
    }
    if (c.kind === 'error') {
      this.settle(c.request_id, p);
      p.reject(new Error(typeof c.error === 'string' ? c.error : 'refused'));
    } else if (c.kind === `${p.kind}_reply`) {
      this.settle(c.request_id, p);
      p.resolve({ content: c, buffers });
    }
  }

  private settle(id: number, p: Pending): void {
    clearTimeout(p.timer);
    this.pending.delete(id);
  }
}

function bytesOf(buffer: BufferLike): ArrayBuffer {
  if (!ArrayBuffer.isView(buffer)) {
    return (buffer as ArrayBuffer).slice(0);
  }
  return new Uint8Array(
    buffer.buffer,
    buffer.byteOffset,
    buffer.byteLength
  ).slice().buffer;
}
