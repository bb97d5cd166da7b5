/**
 * Mounts the React graph viewer into a DOM element, from a live widget model
 * (values on request from the kernel) or from a static payload (a saved
 * notebook: everything but values). Used by the widget view and the mime renderer.
 */
import React from 'react';
import { createRoot, type Root } from 'react-dom/client';
import type { GraphPayload } from './protocol';
import { LayoutClient } from './layout/client';
import { InProcessTransport } from './layout/inProcess';
import { loadElk } from './layout/elk';
import { layoutPool } from './layout/pagePool';
import type { LiveGraphModel } from './liveModels';
import {
  currentSettings,
  resolveDirection,
  type ViewerSettings
} from './model/settings';
import type { LayoutState } from './model/viewerState';
import { liveViewers, type FitTarget } from './registry';
import { GraphViewer, type GraphViewerApi } from './view/GraphViewer';
import type { InspectBackend } from './view/Inspector';

export interface ViewerContent {
  graph: GraphPayload | null;
  compare: GraphPayload | null;
  direction: string;
  height: string;
  /** The viewer's own heading (a comparison's caption); empty or absent for none. */
  title?: string;
}

export function createLayoutClient(): LayoutClient {
  return new LayoutClient({
    // A worker started (and warmed) ahead of need; the next one warms when idle.
    primary: () => layoutPool.take(),
    fallback: () => new InProcessTransport(loadElk)
  });
}

export class ViewerHost implements FitTarget {
  private root: Root | null;
  private api: GraphViewerApi | null = null;
  private unsubscribe: (() => void) | null = null;
  private backend: InspectBackend | null = null;
  /** The settings this viewer opened with (read at its first render). */
  private settings: ViewerSettings | null = null;
  private waiting: ViewerContent | null = null;

  constructor(readonly el: HTMLElement) {
    el.classList.add('vf-graph-viewer');
    el.setAttribute('data-layout-state', 'idle');
    this.root = createRoot(el);
    liveViewers.add(this);
  }

  /** Show a live model; re-renders when its graph changes. */
  bind(model: LiveGraphModel): void {
    this.unsubscribe?.();
    this.backend = { inspect: id => model.inspect(id) };
    this.el.setAttribute('data-live', 'true');
    const render = (): void =>
      this.render({
        graph: model.graph(),
        compare: model.compare(),
        direction: model.direction(),
        height: model.height(),
        title: model.title?.()
      });
    this.unsubscribe = model.subscribe(render);
    render();
  }

  /** Show a payload without a kernel. */
  showStatic(content: ViewerContent): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.backend = null;
    this.el.setAttribute('data-live', 'false');
    this.render(content);
  }

  fit(): void {
    this.api?.fit();
  }

  dispose(): void {
    liveViewers.delete(this);
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.root?.unmount();
    this.root = null;
  }

  private readonly onLayoutState = (state: LayoutState): void => {
    this.el.setAttribute('data-layout-state', state);
  };

  private readonly onApi = (api: GraphViewerApi | null): void => {
    this.api = api;
  };

  private render(content: ViewerContent): void {
    if (!this.root) {
      return;
    }
    if (!this.settings) {
      if (!currentSettings.loaded) {
        // A viewer opened while the page loads waits for the settings (once).
        const first = this.waiting === null;
        this.waiting = content;
        if (first) {
          void currentSettings.ready.then(() => {
            const latest = this.waiting;
            this.waiting = null;
            if (latest) {
              this.render(latest);
            }
          });
        }
        return;
      }
      this.settings = currentSettings.value;
    }
    const settings = this.settings;
    // The viewer's body sets its own height (a fixed length, or following the graph).
    const height = content.height || 'auto';
    const direction = resolveDirection(content.direction, settings);
    this.el.setAttribute('data-direction', direction);
    this.root.render(
      React.createElement(GraphViewer, {
        payload: content.graph,
        compare: content.compare,
        direction,
        createLayoutClient,
        backend: this.backend,
        settings,
        height,
        title: content.title,
        onLayoutState: this.onLayoutState,
        onApi: this.onApi
      })
    );
  }
}
