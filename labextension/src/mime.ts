/**
 * The mime renderer for `application/vnd.vizflow.graph+json` (a GraphMimeBundle):
 * a saved notebook shows its graphs without a kernel. When the bundle's widget
 * model is live on this page the renderer binds to it (inspector values,
 * updates); otherwise it draws `bundle.graph` statically, and switches to the
 * live model should it appear later.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';
import { liveModels } from './liveModels';

import {
  bundleModelId,
  GRAPH_MIME_TYPE,
  GRAPH_MIME_RANK,
  readBundle
} from './mimeBundle';

export { GRAPH_MIME_TYPE, GRAPH_MIME_RANK, readBundle };

export class GraphMimeRenderer extends Widget implements IRenderMime.IRenderer {
  private host: import('./viewerHost').ViewerHost | null = null;
  private stopWaiting: (() => void) | null = null;

  constructor() {
    super();
    this.addClass('vf-mime-output');
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const data = model.data[GRAPH_MIME_TYPE];
    const modelId = bundleModelId(data);
    // A live model draws its own graph: the bundle's copy is decoded only without one.
    let bundle = liveModels.get(modelId) ? null : readBundle(data);
    if (!bundle && !liveModels.get(modelId)) {
      this.showUnreadable();
      return;
    }
    const { ViewerHost } = await import('./viewerHost');
    if (!this.host) {
      const el = document.createElement('div');
      this.node.appendChild(el);
      this.host = new ViewerHost(el);
    }
    const host = this.host;
    this.stopWaiting?.();
    this.stopWaiting = null;
    const live = liveModels.get(modelId); // it may have gone while the viewer loaded
    if (live) {
      host.bind(live);
      return;
    }
    bundle = bundle ?? readBundle(data);
    if (!bundle) {
      this.showUnreadable();
      return;
    }
    host.showStatic({
      graph: bundle.graph,
      compare: bundle.compare,
      direction: '',
      height: '',
      title: bundle.title
    });
    if (modelId) {
      // The widget model may still be loading (its module is a lazy chunk).
      this.stopWaiting = liveModels.onAdded(added => {
        const m = added === modelId ? liveModels.get(modelId) : null;
        if (m && this.host) {
          this.stopWaiting?.();
          this.stopWaiting = null;
          this.host.bind(m);
        }
      });
    }
  }

  private showUnreadable(): void {
    this.host?.dispose();
    this.host = null;
    this.node.textContent = 'vizflow: this output holds no readable graph.';
  }

  dispose(): void {
    this.stopWaiting?.();
    this.host?.dispose();
    this.host = null;
    super.dispose();
  }
}

export const graphRendererFactory: IRenderMime.IRendererFactory = {
  safe: true,
  mimeTypes: [GRAPH_MIME_TYPE],
  defaultRank: GRAPH_MIME_RANK,
  createRenderer: () => new GraphMimeRenderer()
};
