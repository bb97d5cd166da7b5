/**
 * Viewer settings (schema/plugin.json); new viewers read the current values.
 */
import type { LayoutDirection } from '../layout/messages';

export interface ViewerSettings {
  /** Layout direction for viewers whose widget does not choose one. */
  direction: LayoutDirection | 'widget';
  /** Expand groups down to this depth; -1 picks a depth that keeps ~maxVisible items. */
  collapseDepth: number;
  /** Target number of items at first display (auto collapse depth). */
  maxVisible: number;
  /** Metric to colour nodes by when a graph opens ('' for none). */
  overlay: string;
}

export const DEFAULT_SETTINGS: ViewerSettings = {
  direction: 'widget',
  collapseDepth: -1,
  maxVisible: 200,
  overlay: ''
};

/** Read a settings object (e.g. the composite of the setting registry), keeping defaults for bad values. */
export function readSettings(raw: unknown): ViewerSettings {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<
    string,
    unknown
  >;
  const direction =
    r.direction === 'RIGHT' ||
    r.direction === 'DOWN' ||
    r.direction === 'widget'
      ? r.direction
      : DEFAULT_SETTINGS.direction;
  const depth =
    typeof r.collapseDepth === 'number' && Number.isInteger(r.collapseDepth)
      ? Math.max(-1, r.collapseDepth)
      : DEFAULT_SETTINGS.collapseDepth;
  const maxVisible =
    typeof r.maxVisible === 'number' && r.maxVisible >= 10
      ? Math.floor(r.maxVisible)
      : DEFAULT_SETTINGS.maxVisible;
  const overlay = typeof r.overlay === 'string' ? r.overlay : '';
  return { direction, collapseDepth: depth, maxVisible, overlay };
}

/** The page's current settings (the plugin updates them). */
export const currentSettings: { value: ViewerSettings } = {
  value: DEFAULT_SETTINGS
};
