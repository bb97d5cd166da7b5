/**
 * Overlays: colour every visible item by a per-node figure (node.metrics).
 * A collapsed group shows the sum of its members' figures (the maximum for
 * figures that are flags or norms, which do not add up).
 */
import type { MetricInfo } from '../protocol';
import type { GraphModel } from './graphModel';
import type { VisibleGraph } from './visibleGraph';

export interface ColourScale {
  metric: string;
  min: number;
  max: number;
}

/** Metrics that do not add up over a group; shown by their maximum. */
export function aggregatesByMax(metric: string): boolean {
  return /nan|inf|norm|max|flag|present/i.test(metric);
}

/** The figure of each visible item that has one. */
export function overlayValues(
  model: GraphModel,
  vg: VisibleGraph,
  metric: string
): Map<string, number> {
  const byMax = aggregatesByMax(metric);
  const out = new Map<string, number>();
  for (const node of model.nodes) {
    const v = node.metrics?.[metric];
    if (v === null || v === undefined || !Number.isFinite(v)) {
      continue;
    }
    const item = vg.repOf.get(node.id);
    if (!item) {
      continue;
    }
    const prev = out.get(item);
    out.set(
      item,
      prev === undefined ? v : byMax ? Math.max(prev, v) : prev + v
    );
  }
  return out;
}

export function colourScale(
  metric: string,
  values: Iterable<number>
): ColourScale | null {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return min <= max ? { metric, min, max } : null;
}

/** Where a value sits on the scale, 0..1 (1 when the scale has no spread and the value is positive). */
export function scaleFraction(value: number, scale: ColourScale): number {
  if (scale.max === scale.min) {
    return value > 0 ? 1 : 0;
  }
  const t = (value - scale.min) / (scale.max - scale.min);
  return Math.min(1, Math.max(0, t));
}

/** A themed colour for a fraction: a mix of two theme variables, no fixed colours. */
export function overlayColour(t: number): string {
  const pct = Math.round(t * 100);
  return `color-mix(in srgb, var(--vf-overlay-high) ${pct}%, var(--vf-overlay-low))`;
}

/** Format a figure with its unit, e.g. `1.25 ms`, `3.2e+06 bytes`. */
export function formatMetric(value: number, unit: string): string {
  const abs = Math.abs(value);
  const text =
    abs !== 0 && (abs >= 1e5 || abs < 1e-3)
      ? value.toExponential(2)
      : Number.isInteger(value)
        ? String(value)
        : value.toFixed(3).replace(/0+$/, '').replace(/\.$/, '');
  return unit ? `${text} ${unit}` : text;
}

/** The metrics a payload offers, plus any names nodes carry that are not declared. */
export function availableMetrics(
  declared: readonly MetricInfo[] | undefined,
  model: GraphModel
): MetricInfo[] {
  const out: MetricInfo[] = [...(declared ?? [])];
  const known = new Set(out.map(m => m.name));
  for (const n of model.nodes) {
    for (const name of Object.keys(n.metrics ?? {})) {
      if (!known.has(name)) {
        known.add(name);
        out.push({ name, label: name, unit: '' });
      }
    }
  }
  return out;
}
