/**
 * Viewer settings (schema/plugin.json); new viewers read the current values.
 */
import type { LayoutDirection } from '../layout/messages';
import {
  autoCollapseDepth,
  expandedAtDepth,
  type ScopeTree
} from './scopeTree';

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

/**
 * The direction a viewer lays out in: the widget's own choice when it made one
 * (`vf.show(..., direction="DOWN")`), else the setting, else left to right.
 */
export function resolveDirection(
  widgetValue: string | null | undefined,
  settings: ViewerSettings
): LayoutDirection {
  if (widgetValue === 'RIGHT' || widgetValue === 'DOWN') {
    return widgetValue;
  }
  return settings.direction === 'widget' ? 'RIGHT' : settings.direction;
}

/** The collapse depth a graph opens at: the setting, or automatic (-1). */
export function initialDepth(
  tree: ScopeTree,
  settings: ViewerSettings
): number {
  return settings.collapseDepth >= 0
    ? settings.collapseDepth
    : autoCollapseDepth(tree, settings.maxVisible);
}

/** The groups expanded when a graph opens. */
export function initialExpanded(
  tree: ScopeTree,
  settings: ViewerSettings
): Set<string> {
  return expandedAtDepth(tree, initialDepth(tree, settings));
}

let markLoaded: () => void = () => undefined;

/** The page's current settings (the plugin updates them). */
export const currentSettings: {
  value: ViewerSettings;
  /** False until the setting registry answered (or is known to be absent). */
  loaded: boolean;
  /** Resolves once `loaded` is true. */
  ready: Promise<void>;
} = {
  value: DEFAULT_SETTINGS,
  loaded: false,
  ready: new Promise<void>(resolve => {
    markLoaded = resolve;
  })
};

/** Store the settings read from the registry (or keep the defaults: `raw` undefined). */
export function setCurrentSettings(raw?: unknown): void {
  if (raw !== undefined) {
    currentSettings.value = readSettings(raw);
  }
  currentSettings.loaded = true;
  markLoaded();
}
