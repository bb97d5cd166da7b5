/**
 * The ipywidgets half of the graph viewer: the model mirrors the Python
 * widget's traits (`graph`, `layout_direction`, `height`); the view mounts the
 * React viewer and re-renders it when a trait changes.
 */
import {
  DOMWidgetModel,
  DOMWidgetView,
  type ISerializers
} from '@jupyter-widgets/base';
import React from 'react';
import { createRoot, type Root } from 'react-dom/client';
import type { GraphPayload } from './protocol';
import type { LayoutState } from './model/viewerState';
import { LayoutClient } from './layout/client';
import { InProcessTransport } from './layout/inProcess';
import { loadElk } from './layout/elk';
import type { LayoutDirection } from './layout/messages';
import { WebWorkerTransport } from './layout/worker';
import { liveViewers, type FitTarget } from './registry';
import { GraphViewer, type GraphViewerApi } from './view/GraphViewer';
import { MODULE_NAME, MODULE_VERSION } from './version';

export class GraphViewerModel extends DOMWidgetModel {
  defaults(): Backbone.ObjectHash {
    return {
      ...super.defaults(),
      _model_name: GraphViewerModel.model_name,
      _model_module: GraphViewerModel.model_module,
      _model_module_version: GraphViewerModel.model_module_version,
      _view_name: GraphViewerModel.view_name,
      _view_module: GraphViewerModel.view_module,
      _view_module_version: GraphViewerModel.view_module_version,
      graph: null,
      layout_direction: 'RIGHT',
      height: '420px'
    };
  }

  static serializers: ISerializers = {
    ...DOMWidgetModel.serializers
  };

  static model_name = 'GraphViewerModel';
  static model_module = MODULE_NAME;
  static model_module_version = MODULE_VERSION;
  static view_name = 'GraphViewerView';
  static view_module = MODULE_NAME;
  static view_module_version = MODULE_VERSION;
}

function toDirection(value: unknown): LayoutDirection {
  return value === 'DOWN' ? 'DOWN' : 'RIGHT';
}

export class GraphViewerView extends DOMWidgetView implements FitTarget {
  private root: Root | null = null;
  private layoutClient: LayoutClient | null = null;
  private api: GraphViewerApi | null = null;

  render(): void {
    this.el.classList.add('vf-graph-viewer');
    this.el.setAttribute('data-layout-state', 'idle');
    this.layoutClient = new LayoutClient({
      primary: () => new WebWorkerTransport(),
      fallback: () => new InProcessTransport(loadElk)
    });
    this.root = createRoot(this.el);
    this.listenTo(
      this.model,
      'change:graph change:layout_direction change:height',
      this.renderReact
    );
    liveViewers.add(this);
    this.renderReact();
  }

  fit(): void {
    this.api?.fit();
  }

  remove(): void {
    liveViewers.delete(this);
    this.root?.unmount();
    this.root = null;
    this.layoutClient?.dispose();
    this.layoutClient = null;
    super.remove();
  }

  private readonly onLayoutState = (state: LayoutState): void => {
    this.el.setAttribute('data-layout-state', state);
  };

  private readonly onApi = (api: GraphViewerApi | null): void => {
    this.api = api;
  };

  private renderReact(): void {
    if (!this.root || !this.layoutClient) {
      return;
    }
    const height = this.model.get('height');
    this.el.style.height =
      typeof height === 'string' && height ? height : '420px';
    this.root.render(
      React.createElement(GraphViewer, {
        payload: (this.model.get('graph') as GraphPayload | null) ?? null,
        direction: toDirection(this.model.get('layout_direction')),
        layoutClient: this.layoutClient,
        height: typeof height === 'string' && height ? height : '420px',
        onLayoutState: this.onLayoutState,
        onApi: this.onApi
      })
    );
  }
}
