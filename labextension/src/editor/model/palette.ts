/**
 * The palette's data: entries from the kernel (every registry op, placeholder,
 * variable, constant, the vf.nn layers), grouped by category and filtered by a
 * search that ranks name matches above formula and doc matches.
 */
import type { EditorPaletteItem } from '../../protocol';

export type { EditorPaletteItem as PaletteEntry };

export interface PaletteSection {
  category: string;
  entries: EditorPaletteItem[];
}

/** Entries by category, categories and entries in alphabetical order. */
export function sections(
  entries: readonly EditorPaletteItem[]
): PaletteSection[] {
  const by = new Map<string, EditorPaletteItem[]>();
  for (const e of entries) {
    const list = by.get(e.category);
    if (list) {
      list.push(e);
    } else {
      by.set(e.category, [e]);
    }
  }
  return [...by.keys()]
    .sort((a, b) => a.localeCompare(b))
    .map(category => ({
      category,
      entries: (by.get(category) ?? []).sort((a, b) =>
        a.label.localeCompare(b.label)
      )
    }));
}

/** How well an entry matches a lower-case query: 0 = no match, higher is better. */
function score(e: EditorPaletteItem, q: string): number {
  const label = e.label.toLowerCase();
  const key = e.key.toLowerCase();
  if (label === q || key === q) {
    return 5;
  }
  if (label.startsWith(q) || key.startsWith(q)) {
    return 4;
  }
  if (label.includes(q) || key.includes(q)) {
    return 3;
  }
  if (e.category.toLowerCase().includes(q)) {
    return 2;
  }
  if (e.formula.toLowerCase().includes(q) || e.doc.toLowerCase().includes(q)) {
    return 1;
  }
  return 0;
}

/** Entries matching every word of the query, best first; all entries for an empty query. */
export function searchPalette(
  entries: readonly EditorPaletteItem[],
  query: string
): EditorPaletteItem[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) {
    return [...entries];
  }
  const scored: { e: EditorPaletteItem; s: number }[] = [];
  for (const e of entries) {
    let total = 0;
    for (const w of words) {
      const s = score(e, w);
      if (s === 0) {
        total = 0;
        break;
      }
      total += s;
    }
    if (total > 0) {
      scored.push({ e, s: total });
    }
  }
  return scored
    .sort((a, b) => b.s - a.s || a.e.label.localeCompare(b.e.label))
    .map(x => x.e);
}

/** Default params of an entry (what a fresh node gets), required ones without default left out. */
export function defaultParams(
  entry: EditorPaletteItem
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of entry.params) {
    if (p.default !== undefined && p.default !== null) {
      out[p.name] = p.default;
    }
  }
  return out;
}
