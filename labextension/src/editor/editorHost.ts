/**
 * Mounts the editor into a DOM element over a widget channel (the notebook's
 * ipywidgets model, or the document widget's comm client): one session and one
 * kernel client per mount, the document trait and the kernel's patches fed to the
 * session (the whole document asked for again on a version gap), the other traits
 * (palette, train progress, height) to the view.
 */
import React from 'react';
import { createRoot, type Root } from 'react-dom/client';
import type { EditorPaletteItem, EditorTrainProgress } from '../protocol';
import { createLayoutClient } from '../viewerHost';
import { EditorKernel, type EditorChannel } from './kernel';
import { EMPTY_DOCUMENT, type EditorDocument } from './model/document';
import { EditorSession } from './model/session';
import { EditorApp } from './view/EditorApp';

function isDocument(v: unknown): v is EditorDocument {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as EditorDocument).version === 'number' &&
    Array.isArray((v as EditorDocument).nodes) &&
    Array.isArray((v as EditorDocument).edges) &&
    Array.isArray((v as EditorDocument).groups)
  );
}

export class EditorHost {
  readonly kernel: EditorKernel;
  readonly session: EditorSession;
  private root: Root | null;
  private readonly unsubscribe: () => void;
  private readonly unsubscribePatch: () => void;
  /** An EditorSyncRequest is on its way. */
  private resyncing = false;

  constructor(
    readonly el: HTMLElement,
    private readonly channel: EditorChannel,
    /** height: a fixed CSS height instead of the trait's (a document fills its panel). */
    private readonly options: {
      height?: string;
      /** Show a debugger widget beside the editor (in a notebook; none in a document). */
      openDebugger?: (modelId: string, label: string) => Promise<void>;
    } = {}
  ) {
    el.classList.add('vf-editor');
    this.kernel = new EditorKernel(channel);
    this.session = new EditorSession(this.kernel);
    this.root = createRoot(el);
    this.unsubscribe = channel.onChange(() => this.update());
    this.unsubscribePatch = this.kernel.onPatch(patch => {
      if (!this.session.applyPatch(patch) && !this.resyncing) {
        void this.resync();
      }
    });
    this.update();
    // the trait holds the document as first sent: a view opened after edits is behind
    void this.resync();
  }

  /** The document trait changed whole (a file loaded or reverted): older history no longer applies. */
  resetHistory(): void {
    this.session.resetHistory();
  }

  dispose(): void {
    this.unsubscribe();
    this.unsubscribePatch();
    this.kernel.dispose();
    this.session.dispose();
    this.root?.unmount();
    this.root = null;
  }

  /**
   * Ask for the whole document (a version gap). Patches that arrive meanwhile still apply
   * when they follow; the reply holds any that did not.
   */
  private async resync(): Promise<void> {
    this.resyncing = true;
    try {
      const doc = await this.kernel.sync(this.session.document.version);
      if (doc) {
        this.session.setDocument(doc);
      }
    } catch {
      // the kernel is gone or busy past the timeout: the next patch asks again
    } finally {
      this.resyncing = false;
    }
  }

  private update(): void {
    const doc = this.channel.get('document');
    this.session.setDocument(isDocument(doc) ? doc : EMPTY_DOCUMENT);
    const palette = this.channel.get('palette');
    const train = this.channel.get('training');
    const height = this.channel.get('height');
    this.root?.render(
      React.createElement(EditorApp, {
        session: this.session,
        kernel: this.kernel,
        palette: Array.isArray(palette) ? (palette as EditorPaletteItem[]) : [],
        train:
          typeof train === 'object' && train !== null
            ? (train as EditorTrainProgress)
            : null,
        height:
          this.options.height ?? (typeof height === 'string' ? height : 'auto'),
        createLayoutClient,
        openDebugger: this.options.openDebugger
      })
    );
  }
}
