/**
 * The vizflow JupyterLab plugin: registers the widget module and the commands.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IJupyterWidgetRegistry } from '@jupyter-widgets/base';
import { liveViewers } from './registry';
import { MODULE_NAME, MODULE_VERSION } from './version';

export namespace CommandIDs {
  export const fitGraphs = 'vizflow:fit-graphs';
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: '@vizflow/jupyterlab:plugin',
  description: 'vizflow graph viewer widget and commands.',
  autoStart: true,
  requires: [IJupyterWidgetRegistry],
  optional: [ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    registry: IJupyterWidgetRegistry,
    palette: ICommandPalette | null
  ): void => {
    registry.registerWidget({
      name: MODULE_NAME,
      version: MODULE_VERSION,
      // Loaded on first use: React Flow and the widget code live in their own chunk.
      exports: async () => {
        const widget = await import('./widget');
        return {
          GraphViewerModel: widget.GraphViewerModel,
          GraphViewerView: widget.GraphViewerView
        };
      }
    });

    app.commands.addCommand(CommandIDs.fitGraphs, {
      label: 'vizflow: Fit all graphs to view',
      caption: 'Fit every open vizflow graph viewer to its canvas',
      execute: () => {
        liveViewers.fitAll();
      }
    });
    palette?.addItem({ command: CommandIDs.fitGraphs, category: 'vizflow' });
  }
};

export default plugin;
