/**
 * Text formatting helpers shared by every view. Plain TypeScript, no DOM.
 */
import type { Dim, Shape } from '../protocol';

/** How an unknown dimension or an unknown rank is shown. */
export const UNKNOWN = '?';

/** Format one dimension: a size, a symbolic name, or `?` when unknown. */
export function formatDim(dim: Dim): string {
  if (dim === null || dim === undefined) {
    return UNKNOWN;
  }
  return String(dim);
}

/**
 * Format a shape the way numpy prints it: `(4, 3)`, `(5,)`, `()` for a
 * scalar, `(?, 3)` for an unknown dimension, `?` when the rank is unknown.
 */
export function formatShape(shape: Shape | undefined): string {
  if (shape === null || shape === undefined) {
    return UNKNOWN;
  }
  if (shape.length === 1) {
    return `(${formatDim(shape[0])},)`;
  }
  return `(${shape.map(formatDim).join(', ')})`;
}

/** Shape and dtype together, e.g. `(4, 3) float32`; the dtype is left out when empty. */
export function formatShapeDtype(
  shape: Shape | undefined,
  dtype: string | undefined
): string {
  const s = formatShape(shape);
  return dtype ? `${s} ${dtype}` : s;
}

/** Turn any text into a safe CSS class suffix: lower case, `[a-z0-9-]` only. */
export function cssToken(text: string): string {
  const token = text
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return token || 'none';
}

/**
 * Categories the stylesheet colours; any other category gets `vf-cat-other`
 * so an unknown category never produces an unstyled node.
 */
export const KNOWN_CATEGORIES: ReadonlySet<string> = new Set([
  'input',
  'placeholder',
  'variable',
  'parameter',
  'constant',
  'elementwise',
  'unary',
  'binary',
  'matmul',
  'linalg',
  'reduction',
  'activation',
  'loss',
  'shape',
  'indexing',
  'gradient',
  'optimizer',
  'control',
  'foreign'
]);

/** CSS class for a node category, e.g. `vf-cat-matmul`. */
export function categoryClass(category: string): string {
  const token = cssToken(category);
  return KNOWN_CATEGORIES.has(token) ? `vf-cat-${token}` : 'vf-cat-other';
}

/** CSS class for a node phase, e.g. `vf-phase-backward`. */
export function phaseClass(phase: string): string {
  return `vf-phase-${cssToken(phase)}`;
}
