/**
 * The editor's JupyterLab plugin: `*.vfg.json` opens in the graph editor (a
 * document with its own kernel), and "vizflow graph" appears under New in the
 * launcher and the command palette.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import type { Contents } from '@jupyterlab/services';
import {
  EditorDocumentFactory,
  EXTENSION,
  FACTORY,
  FILE_TYPE,
  fileType
} from './documentWidget';

export const NEW_GRAPH = 'vizflow:new-graph';

export const editorDocumentPlugin: JupyterFrontEndPlugin<void> = {
  id: '@vizflow/jupyterlab:graph-documents',
  description: 'vizflow graph files (*.vfg.json) open in the visual editor.',
  autoStart: true,
  optional: [ILauncher, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    launcher: ILauncher | null,
    palette: ICommandPalette | null
  ): void => {
    app.docRegistry.addFileType(fileType);
    app.docRegistry.addWidgetFactory(
      new EditorDocumentFactory(
        {
          name: FACTORY,
          label: 'vizflow graph editor',
          fileTypes: [FILE_TYPE],
          defaultFor: [FILE_TYPE],
          modelName: 'text',
          preferKernel: true,
          autoStartDefault: true,
          canStartKernel: true,
          shutdownOnClose: true
        },
        app.serviceManager.contents
      )
    );
    app.commands.addCommand(NEW_GRAPH, {
      label: args => (args.isLauncher ? 'vizflow graph' : 'New vizflow graph'),
      caption:
        'A new, empty vizflow graph file (.vfg.json) in the visual editor',
      execute: async args => {
        const cwd = typeof args.cwd === 'string' ? args.cwd : '';
        const model = (await app.commands.execute('docmanager:new-untitled', {
          path: cwd,
          type: 'file',
          ext: EXTENSION
        })) as Contents.IModel;
        return app.commands.execute('docmanager:open', {
          path: model.path,
          factory: FACTORY
        });
      }
    });
    launcher?.add({ command: NEW_GRAPH, category: 'Other', rank: 1 });
    palette?.addItem({ command: NEW_GRAPH, category: 'vizflow' });
  }
};
