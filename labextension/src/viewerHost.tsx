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
import type { LayoutDirection } from './layout/messages';
import { WebWorkerTransport } from './layout/worker';
import type { LiveGraphModel } from './liveModels';
import { currentSettings } from './model/settings';
import type { LayoutState } from './model/viewerState';
import { liveViewers, type FitTarget } from './registry';
import { GraphViewer, type GraphViewerApi } from './view/GraphViewer';
import type { InspectBackend } from './view/Inspector';

export interface ViewerContent {
  graph: GraphPayload | null;
  compare: GraphPayload | null;
  direction: string;
  height: string;
}

function toDirection(value: string): LayoutDirection {
  const setting = currentSettings.value.direction;
  if (setting !== 'widget') {
    return setting;
  }
  return value === 'DOWN' ? 'DOWN' : 'RIGHT';
}

export function createLayoutClient(): LayoutClient {
  return new LayoutClient({
    primary: () => new WebWorkerTransport(),
    fallback: () => new InProcessTransport(loadElk)
  });
}

export class ViewerHost implements FitTarget {
  private root: Root | null;
  private api: GraphViewerApi | null = null;
  private unsubscribe: (() => void) | null = null;
  private backend: InspectBackend | null = null;
  private readonly settings = currentSettings.value;

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
        height: model.height()
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
    const height = content.height || '420px';
    this.el.style.height = height;
    this.root.render(
      React.createElement(GraphViewer, {
        payload: content.graph,
        compare: content.compare,
        direction: toDirection(content.direction),
        createLayoutClient,
        backend: this.backend,
        settings: this.settings,
        height,
        onLayoutState: this.onLayoutState,
        onApi: this.onApi
      })
    );
  }
}
