/**
 * The ipywidgets half of the editor (`vf.Editor`): the model mirrors the
 * kernel's traits (`document`, `palette`, `training`, `height`) and carries the
 * editor's requests as custom messages; the view mounts the editor.
 */
import {
  DOMWidgetModel,
  DOMWidgetView,
  type ISerializers
} from '@jupyter-widgets/base';
import { MODULE_NAME, MODULE_VERSION } from '../version';
import { DebuggerOpener } from './debugPanel';
import { EditorHost } from './editorHost';
import type { BufferLike, EditorChannel } from './kernel';

const WATCHED = 'change:document change:palette change:training change:height';

export class EditorModel extends DOMWidgetModel implements EditorChannel {
  defaults(): Backbone.ObjectHash {
    return {
      ...super.defaults(),
      _model_name: EditorModel.model_name,
      _model_module: EditorModel.model_module,
      _model_module_version: EditorModel.model_module_version,
      _view_name: EditorModel.view_name,
      _view_module: EditorModel.view_module,
      _view_module_version: EditorModel.view_module_version,
      document: null,
      palette: [],
      training: null,
      height: 'auto'
    };
  }

  onChange(listener: () => void): () => void {
    this.on(WATCHED, listener);
    return () => this.off(WATCHED, listener);
  }

  onCustom(
    listener: (content: unknown, buffers: BufferLike[]) => void
  ): () => void {
    const handler = (content: unknown, buffers?: BufferLike[]): void =>
      listener(content, buffers ?? []);
    this.on('msg:custom', handler);
    return () => this.off('msg:custom', handler);
  }

  post(content: Record<string, unknown>, buffers?: ArrayBuffer[]): void {
    this.send(content as Parameters<DOMWidgetModel['send']>[0], {}, buffers);
  }

  static serializers: ISerializers = {
    ...DOMWidgetModel.serializers
  };

  static model_name = 'EditorModel';
  static model_module = MODULE_NAME;
  static model_module_version = MODULE_VERSION;
  static view_name = 'EditorView';
  static view_module = MODULE_NAME;
  static view_module_version = MODULE_VERSION;
}

export class EditorView extends DOMWidgetView {
  private host: EditorHost | null = null;

  render(): void {
    const debuggers = new DebuggerOpener(this.model.widget_manager, this.el);
    this.host = new EditorHost(this.el, this.model as EditorModel, {
      openDebugger: (modelId, label) => debuggers.open(modelId, label)
    });
  }

  remove(): void {
    this.host?.dispose();
    this.host = null;
    super.remove();
  }
}
