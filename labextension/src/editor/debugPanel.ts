/**
 * "Debug" from a notebook's editor: the kernel makes the debugger widget (an
 * ipywidgets model, as `vf.debug(...)` shown in a cell makes it); this shows
 * that model's own view in a JupyterLab main-area panel beside the editor.
 * One panel per editor: debugging again replaces the last one.
 */
import type {
  DOMWidgetView,
  IWidgetManager,
  WidgetModel
} from '@jupyter-widgets/base';
import { Panel } from '@lumino/widgets';
import { labHooks } from '../labHooks';

/** The comm that opens the model and the reply that names it race: wait this long for it. */
const MODEL_WAIT_MS = 10_000;
const MODEL_POLL_MS = 50;

async function modelOf(
  manager: IWidgetManager,
  modelId: string
): Promise<WidgetModel> {
  const until = Date.now() + MODEL_WAIT_MS;
  for (;;) {
    if (manager.has_model(modelId)) {
      return manager.get_model(modelId);
    }
    if (Date.now() > until) {
      throw new Error(`the debugger widget ${modelId} never reached the page`);
    }
    await new Promise(r => setTimeout(r, MODEL_POLL_MS));
  }
}

/** A closable main-area panel that one debugger view fills. */
class DebuggerPanel extends Panel {
  constructor(
    private readonly view: DOMWidgetView,
    modelId: string,
    label: string
  ) {
    super();
    this.id = `vf-debugger-${modelId}`;
    this.title.label = label;
    this.title.caption = `vizflow debugger: ${label}`;
    this.title.closable = true;
    this.addClass('vf-debugger-panel');
    view.luminoWidget.node.style.height = '100%'; // the debugger's own height is 100%
    this.addWidget(view.luminoWidget);
  }

  /** Closing the tab ends the debugger: its view, and its model and session in the kernel. */
  protected onCloseRequest(msg: Parameters<Panel['processMessage']>[0]): void {
    super.onCloseRequest(msg);
    this.dispose();
  }

  dispose(): void {
    if (!this.isDisposed) {
      this.view.remove();
      void this.view.model.close();
    }
    super.dispose();
  }
}

/** Opens debugger widgets beside one editor (`from`: an element of the editor). */
export class DebuggerOpener {
  private last: DebuggerPanel | null = null;

  constructor(
    private readonly manager: IWidgetManager,
    private readonly from: Element
  ) {}

  /** Show the debugger widget `modelId` beside the editor, titled `label`. */
  async open(modelId: string, label: string): Promise<void> {
    const openBeside = labHooks.openBeside;
    if (!openBeside) {
      throw new Error('the debugger opens in JupyterLab only');
    }
    const model = await modelOf(this.manager, modelId);
    const view = (await this.manager.create_view(model)) as DOMWidgetView;
    const panel = new DebuggerPanel(view, modelId, label);
    this.last?.dispose();
    this.last = panel;
    openBeside(panel, this.from);
  }
}
