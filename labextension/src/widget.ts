/**
 * The ipywidgets half of the graph viewer: the model mirrors the Python
 * widget's traits (`graph`, `compare`, `layout_direction`, `height`, `title`), answers
 * inspector requests through custom messages, shows the kernel's notices (a
 * refused request or state update), and registers itself so the mime
 * renderer can bind to it; the view mounts the React viewer.
 */
import {
  DOMWidgetModel,
  DOMWidgetView,
  type IBackboneModelOptions,
  type ISerializers
} from '@jupyter-widgets/base';
import { Notification } from '@jupyterlab/apputils';
import type { GraphPayload } from './protocol';
import { expandGraph } from './model/compact';
import { liveModels, type LiveGraphModel } from './liveModels';
import { decodeInspectReply, type BufferLike } from './model/inspect';
import {
  decodeKernelNotice,
  noticeText,
  type KernelNotice
} from './model/kernelNotices';
import { ViewerHost } from './viewerHost';
import { provenanceOf, type InspectedValues } from './view/valueProvenance';
import { MODULE_NAME, MODULE_VERSION } from './version';

const INSPECT_TIMEOUT_MS = 30000;
const WATCHED =
  'change:graph change:compare change:layout_direction change:height change:title';

export class GraphViewerModel extends DOMWidgetModel implements LiveGraphModel {
  private nextRequest = 1;
  private readonly pending = new Map<
    number,
    { resolve: (r: InspectedValues) => void; reject: (e: Error) => void }
  >();

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
      compare: null,
      layout_direction: null,
      height: 'auto',
      title: ''
    };
  }

  initialize(
    attributes: Backbone.ObjectHash,
    options: IBackboneModelOptions
  ): void {
    super.initialize(attributes, options);
    this.on('msg:custom', this.onCustom, this);
    this.once('comm:close destroy', () => {
      liveModels.remove(this.model_id);
      for (const p of this.pending.values()) {
        p.reject(new Error('the kernel connection closed'));
      }
      this.pending.clear();
    });
    liveModels.add(this);
  }

  get modelId(): string {
    return this.model_id;
  }

  /** The `graph` trait (a CompactGraph on the wire), decoded once per value. */
  graph(): GraphPayload | null {
    return this.expanded('graph');
  }

  compare(): GraphPayload | null {
    return this.expanded('compare');
  }

  private readonly decoded = new Map<
    string,
    { wire: unknown; payload: GraphPayload | null }
  >();

  private expanded(trait: 'graph' | 'compare'): GraphPayload | null {
    const wire: unknown = this.get(trait);
    const hit = this.decoded.get(trait);
    if (hit && hit.wire === wire) {
      return hit.payload;
    }
    const payload = expandGraph(wire);
    this.decoded.set(trait, { wire, payload });
    return payload;
  }

  /** 'RIGHT' or 'DOWN' when the widget chose one, else '' (the setting decides). */
  direction(): string {
    const d: unknown = this.get('layout_direction');
    return typeof d === 'string' ? d : '';
  }

  height(): string {
    const h = this.get('height');
    return typeof h === 'string' && h ? h : 'auto';
  }

  /** The viewer's own heading (the `title` trait), '' for none. */
  title(): string {
    const t: unknown = this.get('title');
    return typeof t === 'string' ? t : '';
  }

  subscribe(listener: () => void): () => void {
    this.on(WATCHED, listener);
    return () => this.off(WATCHED, listener);
  }

  inspect(nodeId: string): Promise<InspectedValues> {
    const requestId = this.nextRequest++;
    return new Promise<InspectedValues>((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject });
      this.send(
        { kind: 'inspect', request_id: requestId, node_id: nodeId },
        {}
      );
      setTimeout(() => {
        if (this.pending.delete(requestId)) {
          reject(new Error('the kernel did not answer'));
        }
      }, INSPECT_TIMEOUT_MS);
    });
  }

  private onCustom(content: unknown, buffers?: BufferLike[]): void {
    const notice = decodeKernelNotice(content);
    if (notice) {
      this.onNotice(notice);
      return;
    }
    const reply = decodeInspectReply(content, buffers);
    if (!reply) {
      return;
    }
    const p = this.pending.get(reply.requestId);
    if (p) {
      this.pending.delete(reply.requestId);
      p.resolve({ ...reply, provenance: provenanceOf(content) });
    }
  }

  /** A refused request fails its caller; anything else is shown to the user. */
  private onNotice(notice: KernelNotice): void {
    if (notice.kind === 'error' && notice.requestId !== null) {
      const p = this.pending.get(notice.requestId);
      if (p) {
        this.pending.delete(notice.requestId);
        p.reject(new Error(notice.message));
        return;
      }
    }
    Notification.warning(noticeText(notice), { autoClose: 8000 });
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

export class GraphViewerView extends DOMWidgetView {
  private host: ViewerHost | null = null;

  render(): void {
    this.host = new ViewerHost(this.el);
    this.host.bind(this.model as GraphViewerModel);
  }

  remove(): void {
    this.host?.dispose();
    this.host = null;
    super.remove();
  }
}
