/**
 * `*.vfg.json` files as JupyterLab documents: the file type, a widget factory
 * (save, save-as, revert, dirty state and autosave come from the document
 * manager) and the panel. The panel starts the document's own kernel session,
 * runs one FIXED snippet that makes an editor widget there, and sends the
 * file's text to it as data (an EditorLoadRequest) — the text never becomes
 * code. A file that is not a valid graph shows the kernel's message naming
 * what is wrong and where. Edits keep the document model's text current (so
 * the manager saves it); the sidecar .npz of arrays is written on each save.
 */
import {
  ABCWidgetFactory,
  DocumentRegistry,
  DocumentWidget,
  type IDocumentWidget
} from '@jupyterlab/docregistry';
import type { Contents, Kernel, KernelMessage } from '@jupyterlab/services';
import { Widget } from '@lumino/widgets';
import { CommChannel } from './commChannel';
import type { EditorHost } from './editorHost';

export const FILE_TYPE = 'vizflow-graph';
export const FACTORY = 'vizflow graph editor';
export const EXTENSION = '.vfg.json';

/** The whole code the document widget runs: makes an empty editor. The file's text goes as data. */
export const EDITOR_SNIPPET =
  'import vizflow as _vizflow\n_vizflow_document_editor = _vizflow.Editor()\n';

/** How long edits settle before the document text is refreshed from the kernel. */
const SYNC_MS = 150;

export const fileType: Partial<DocumentRegistry.IFileType> = {
  name: FILE_TYPE,
  displayName: 'vizflow graph',
  extensions: [EXTENSION],
  mimeTypes: ['application/vnd.vizflow.graph-file+json'],
  fileFormat: 'text',
  contentType: 'file'
};

/** The sidecar arrays file of a graph file: model.vfg.json → model.npz. */
export function sidecarPath(path: string): string {
  return path.endsWith(EXTENSION)
    ? `${path.slice(0, -EXTENSION.length)}.npz`
    : `${path}.npz`;
}

function base64ToBuffer(b64: string): ArrayBuffer {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) {
    out[i] = bin.charCodeAt(i);
  }
  return out.buffer;
}

function bufferToBase64(buf: ArrayBuffer): string {
  const bytes = new Uint8Array(buf);
  let bin = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    bin += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(bin);
}

export class EditorDocumentPanel extends Widget {
  private host: EditorHost | null = null;
  private channel: CommChannel | null = null;
  /** The text the document model holds as of the kernel's last sync (or the file as opened). */
  private synced = '';
  private syncedVersion = -1;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private loading = false;

  constructor(
    private readonly context: DocumentRegistry.Context,
    private readonly contents: Contents.IManager
  ) {
    super();
    this.addClass('vf-editor-document');
    this.node.tabIndex = -1;
    this.message('Starting the kernel…', false);
    void this.start();
    context.model.contentChanged.connect(this.onModelChanged, this);
    context.saveState.connect((_, state) => {
      if (state === 'completed') {
        void this.writeSidecar();
      }
    });
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.host?.dispose();
    this.channel?.dispose();
    super.dispose();
  }

  private message(text: string, error: boolean): void {
    this.node.textContent = '';
    const div = document.createElement('div');
    div.className = error
      ? 'vf-editor-message'
      : 'vf-editor-message vf-editor-wait';
    div.setAttribute('role', error ? 'alert' : 'status');
    div.textContent = text;
    this.node.appendChild(div);
  }

  private async start(): Promise<void> {
    try {
      await this.context.ready;
      const session = this.context.sessionContext;
      await session.ready;
      const kernel = session.session?.kernel;
      if (!kernel) {
        this.message(
          'This graph needs a kernel: choose one from the toolbar.',
          true
        );
        return;
      }
      this.channel = await this.openEditor(kernel);
      await this.loadFile();
    } catch (err) {
      this.message(
        `vizflow: the editor could not start: ${(err as Error).message}`,
        true
      );
    }
  }

  /** Run the fixed snippet and take the comm of the editor widget it makes. */
  private openEditor(kernel: Kernel.IKernelConnection): Promise<CommChannel> {
    return new Promise((resolve, reject) => {
      const target = 'jupyter.widget';
      const onOpen = (
        comm: Kernel.IComm,
        msg: KernelMessage.ICommOpenMsg
      ): void => {
        const state = (
          msg.content.data as { state?: { _model_name?: unknown } }
        ).state;
        if (state?._model_name === 'EditorModel') {
          kernel.removeCommTarget(target, onOpen);
          resolve(new CommChannel(comm, msg));
        }
      };
      kernel.registerCommTarget(target, onOpen);
      const future = kernel.requestExecute({
        code: EDITOR_SNIPPET,
        silent: false,
        store_history: false
      });
      future.onIOPub = msg => {
        if (msg.header.msg_type === 'error') {
          const c = msg.content as KernelMessage.IErrorMsg['content'];
          kernel.removeCommTarget(target, onOpen);
          reject(new Error(`${c.ename}: ${c.evalue}`));
        }
      };
    });
  }

  /** Send the file (and its sidecar arrays) to the kernel; an empty file is a new graph. */
  private async loadFile(): Promise<void> {
    const channel = this.channel as CommChannel;
    const text = this.context.model.toString();
    this.node.textContent = '';
    const el = document.createElement('div');
    el.className = 'vf-editor-document-body';
    this.node.appendChild(el);
    // React Flow and the editor load with the first graph opened, not with the page.
    const { EditorHost } = await import('./editorHost');
    this.host = new EditorHost(el, channel, { height: '100%' });
    this.host.session.subscribe(() => this.scheduleSync());
    await this.sendText(text);
  }

  private async sendText(text: string): Promise<void> {
    const host = this.host as EditorHost;
    this.loading = true;
    try {
      if (text.trim() === '') {
        // a new file: write the empty graph's text so the file opens next time
        const saved = await host.kernel.save();
        this.synced = saved.text;
        this.context.model.fromString(saved.text);
        await this.context.save();
      } else {
        const arrays = await this.readSidecar();
        await host.kernel.load(text, arrays);
        this.synced = text;
      }
      this.syncedVersion = host.session.document.version;
      host.resetHistory();
      this.node.classList.remove('vf-editor-failed');
      host.el.hidden = false;
      this.node.querySelector('.vf-editor-message')?.remove();
    } catch (err) {
      this.synced = text;
      host.el.hidden = true;
      this.node.classList.add('vf-editor-failed');
      this.node.querySelector('.vf-editor-message')?.remove();
      const div = document.createElement('div');
      div.className = 'vf-editor-message';
      div.setAttribute('role', 'alert');
      div.textContent = `This file is not a vizflow graph the editor can open.\n\n${(err as Error).message}`;
      this.node.insertBefore(div, this.node.firstChild);
    } finally {
      this.loading = false;
    }
  }

  private async readSidecar(): Promise<ArrayBuffer | null> {
    const path = sidecarPath(this.context.path);
    try {
      const m: Contents.IModel = await this.contents.get(path, {
        type: 'file',
        format: 'base64',
        content: true
      });
      return typeof m.content === 'string' ? base64ToBuffer(m.content) : null;
    } catch {
      return null; // no sidecar: a graph without arrays
    }
  }

  private async writeSidecar(): Promise<void> {
    if (!this.host || this.node.classList.contains('vf-editor-failed')) {
      return;
    }
    const saved = await this.host.kernel.save();
    if (saved.arrays) {
      await this.contents.save(sidecarPath(this.context.path), {
        type: 'file',
        format: 'base64',
        content: bufferToBase64(saved.arrays)
      });
    }
  }

  /** A new document version: refresh the model's text soon (it becomes dirty). */
  private scheduleSync(): void {
    const version = this.host?.session.document.version ?? -1;
    if (this.loading || version === this.syncedVersion || this.timer) {
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.sync();
    }, SYNC_MS);
  }

  private async sync(): Promise<void> {
    const host = this.host;
    if (!host || this.loading) {
      return;
    }
    const version = host.session.document.version;
    const saved = await host.kernel.save();
    this.syncedVersion = version;
    if (saved.text !== this.synced) {
      this.synced = saved.text;
      this.context.model.fromString(saved.text);
      this.context.model.dirty = true;
    }
  }

  /** The model's text changed from outside the editor (revert, or a reload from disk). */
  private onModelChanged(): void {
    const text = this.context.model.toString();
    if (this.host && !this.loading && text !== this.synced) {
      void this.sendText(text);
    }
  }
}

export class EditorDocumentFactory extends ABCWidgetFactory<
  IDocumentWidget<EditorDocumentPanel>
> {
  constructor(
    options: DocumentRegistry.IWidgetFactoryOptions<
      IDocumentWidget<EditorDocumentPanel>
    >,
    /** Where the sidecar arrays are read and written. */
    private readonly contents: Contents.IManager
  ) {
    super(options);
  }

  protected createNewWidget(
    context: DocumentRegistry.Context
  ): IDocumentWidget<EditorDocumentPanel> {
    const content = new EditorDocumentPanel(context, this.contents);
    const widget = new DocumentWidget({ content, context });
    widget.title.iconClass = 'jp-MaterialIcon jp-FileIcon';
    return widget;
  }
}
