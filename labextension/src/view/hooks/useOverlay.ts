/** The overlay: which metric colours the nodes, and each visible item's colour. */
import { useMemo, useState } from 'react';
import type { GraphPayload, MetricInfo } from '../../protocol';
import type { GraphModel } from '../../model/graphModel';
import type { VisibleGraph } from '../../model/visibleGraph';
import {
  availableMetrics,
  colourScale,
  overlayColour,
  overlayValues,
  scaleFraction,
  type ColourScale
} from '../../model/overlay';

/**
 * Where an item's figure sits on the colour scale. A count of NaN/Inf values is a
 * flag: any at all is full colour (a NaN scalar loss, 1 NaN, must not look like a
 * clean node beside a tensor of thousands).
 */
export function overlayFraction(
  metric: string,
  value: number,
  scale: ColourScale
): number {
  if (/nan|inf/i.test(metric)) {
    return value > 0 ? 1 : 0;
  }
  return scaleFraction(value, scale);
}

export interface PaneOverlay {
  metrics: MetricInfo[];
  metric: string;
  setMetric: (m: string) => void;
  metricInfo: MetricInfo | null;
  colours: Map<string, string>;
  scale: ColourScale | null;
}

export function useOverlay(
  payload: GraphPayload | null,
  model: GraphModel,
  shownVg: VisibleGraph,
  initialMetric: string
): PaneOverlay {
  const metrics = useMemo(
    () => availableMetrics(payload?.metrics, model),
    [payload, model]
  );
  const [metric, setMetric] = useState<string>(initialMetric);
  const metricInfo = metrics.find(m => m.name === metric) ?? null;
  const { colours, scale } = useMemo(() => {
    const colours = new Map<string, string>();
    if (!metricInfo) {
      return { colours, scale: null };
    }
    const values = overlayValues(model, shownVg, metricInfo.name);
    const scale = colourScale(metricInfo.name, values.values());
    if (scale) {
      for (const [id, v] of values) {
        colours.set(
          id,
          overlayColour(overlayFraction(metricInfo.name, v, scale))
        );
      }
    }
    return { colours, scale };
  }, [metricInfo, model, shownVg]);
  return { metrics, metric, setMetric, metricInfo, colours, scale };
}
