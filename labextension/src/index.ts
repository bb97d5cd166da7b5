/**
 * The vizflow JupyterLab plugin: the widget module, the graph mime renderer
 * (saved notebooks show their graphs without a kernel), the settings, and the
 * commands.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IJupyterWidgetRegistry } from '@jupyter-widgets/base';
import { DEBUG_COMMANDS, debuggerFocus } from './debugger/focus';
import { editorDocumentPlugin } from './editor/plugin';
import { labHooks } from './labHooks';
import { graphRendererFactory } from './mime';
import { setCurrentSettings } from './model/settings';
import { openSource } from './openSource';
import { liveViewers } from './registry';
import { MODULE_NAME, MODULE_VERSION } from './version';

export namespace CommandIDs {
  export const fitGraphs = 'vizflow:fit-graphs';
}

export const PLUGIN_ID = '@vizflow/jupyterlab:plugin';

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    'vizflow graph viewer: widget, mime renderer, settings and commands.',
  autoStart: true,
  optional: [
    IJupyterWidgetRegistry,
    IRenderMimeRegistry,
    ISettingRegistry,
    ICommandPalette
  ],
  activate: (
    app: JupyterFrontEnd,
    widgets: IJupyterWidgetRegistry | null,
    rendermime: IRenderMimeRegistry | null,
    settings: ISettingRegistry | null,
    palette: ICommandPalette | null
  ): void => {
    widgets?.registerWidget({
      name: MODULE_NAME,
      version: MODULE_VERSION,
      // Loaded on first use: React Flow and the widget code live in their own chunk.
      exports: async () => {
        const widget = await import('./widget');
        const debuggerWidget = await import('./debugger/widget');
        const editorWidget = await import('./editor/widget');
        return {
          GraphViewerModel: widget.GraphViewerModel,
          GraphViewerView: widget.GraphViewerView,
          DebuggerModel: debuggerWidget.DebuggerModel,
          DebuggerView: debuggerWidget.DebuggerView,
          EditorModel: editorWidget.EditorModel,
          EditorView: editorWidget.EditorView
        };
      }
    });
    rendermime?.addFactory(
      graphRendererFactory,
      graphRendererFactory.defaultRank
    );
    labHooks.openSource = (src, from) => openSource(app, src, from);
    labHooks.openBeside = (panel, from) => {
      const beside = from
        ? [...app.shell.widgets('main')].find(w => w.node.contains(from))
        : undefined;
      app.shell.add(panel, 'main', { mode: 'split-right', ref: beside?.id });
      app.shell.activateById(panel.id);
    };

    if (settings) {
      void settings
        .load(PLUGIN_ID)
        .then(s => {
          setCurrentSettings(s.composite);
          s.changed.connect(() => setCurrentSettings(s.composite));
        })
        .catch(err => {
          console.warn('vizflow: settings could not be loaded', err);
          setCurrentSettings();
        });
    } else {
      setCurrentSettings();
    }

    // Start and warm a layout worker once the page is idle, so the first graph
    // (and its first expand) does not wait for ELK to load and compile.
    void app.restored.then(() =>
      import('./layout/pagePool').then(m =>
        m.whenIdle(() => m.layoutPool.prime())
      )
    );

    app.commands.addCommand(CommandIDs.fitGraphs, {
      label: 'vizflow: Fit all graphs to view',
      caption: 'Fit every open vizflow graph viewer to its canvas',
      execute: () => {
        liveViewers.fitAll();
      }
    });
    palette?.addItem({ command: CommandIDs.fitGraphs, category: 'vizflow' });

    // Debugger controls act on the debugger focused last.
    for (const c of DEBUG_COMMANDS) {
      app.commands.addCommand(c.id, {
        label: `vizflow debugger: ${c.label}`,
        caption: `${c.label} in the vizflow debugger focused last`,
        isEnabled: () => debuggerFocus.current !== null,
        execute: () => {
          debuggerFocus.run(c.command);
        }
      });
      palette?.addItem({ command: c.id, category: 'vizflow' });
    }
  }
};

export default [plugin, editorDocumentPlugin];
