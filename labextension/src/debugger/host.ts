/**
 * Mounts the React debugger into a widget view's element and re-renders it
 * when the model's graph, session or height change (once per command: RenderGate).
 * A change renders at once, in the task of the kernel message that brought it: left to
 * React's scheduler, it would wait for a task of its own, behind whatever the page queued
 * meanwhile (a frame, JupyterLab's reaction to the kernel's status).
 */
import React from 'react';
import { flushSync } from 'react-dom';
import { createRoot, type Root } from 'react-dom/client';
import { currentSettings, resolveDirection } from '../model/settings';
import { createLayoutClient } from '../viewerHost';
import { DebuggerApp } from './DebuggerApp';
import { RenderGate } from './renderGate';
import { lastPaused, NOT_PAUSED, type PausedAt } from './session';
import type { DebuggerBackend } from './widget';

export class DebuggerHost {
  private root: Root | null;
  private readonly unsubscribe: () => void;
  private readonly gate: RenderGate;
  /** Where the session last paused (kept while it runs or has finished). */
  private paused: PausedAt = NOT_PAUSED;

  constructor(
    readonly el: HTMLElement,
    private readonly backend: DebuggerBackend
  ) {
    el.classList.add('vf-graph-viewer', 'vf-debugger-widget');
    el.setAttribute('data-live', 'true');
    this.root = createRoot(el);
    this.gate = new RenderGate(
      () => backend.inFlight(),
      () => flushSync(() => this.render())
    );
    this.unsubscribe = backend.subscribe(() => this.gate.changed());
    if (currentSettings.loaded) {
      this.render();
    } else {
      void currentSettings.ready.then(() => this.render());
    }
  }

  dispose(): void {
    this.unsubscribe();
    this.root?.unmount();
    this.root = null;
  }

  private render(): void {
    if (!this.root || !currentSettings.loaded) {
      return;
    }
    const settings = currentSettings.value;
    const session = this.backend.session();
    this.paused = lastPaused(this.paused, session);
    this.root.render(
      React.createElement(DebuggerApp, {
        backend: this.backend,
        payload: this.backend.graph(),
        session,
        pausedAt: this.paused,
        height: this.backend.height(),
        direction: resolveDirection('', settings),
        settings,
        createLayoutClient,
        onLayoutState: state => this.el.setAttribute('data-layout-state', state)
      })
    );
  }
}
