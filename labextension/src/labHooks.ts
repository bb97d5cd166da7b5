/**
 * What the viewer may ask of JupyterLab, filled in by the plugin (the viewer
 * itself has no access to the application).
 */
import type { SourceLocation } from './protocol';

export const labHooks: {
  /** Open the file (or scroll the notebook to the cell) where a node was made. */
  openSource?: (source: SourceLocation, from?: Element | null) => void;
} = {};
