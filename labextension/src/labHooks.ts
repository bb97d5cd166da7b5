/**
 * What the viewer may ask of JupyterLab, filled in by the plugin (the viewer
 * itself has no access to the application).
 */
import type { Widget } from '@lumino/widgets';
import type { SourceLocation } from './protocol';

export const labHooks: {
  /** Open the file (or scroll the notebook to the cell) where a node was made. */
  openSource?: (source: SourceLocation, from?: Element | null) => void;
  /** Show a panel in the main area, split beside the panel that holds `from`. */
  openBeside?: (panel: Widget, from?: Element | null) => void;
} = {};
