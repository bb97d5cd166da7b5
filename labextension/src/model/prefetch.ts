/**
 * Which collapsed groups to lay out ahead of need: the user is likely to open one of
 * those on screen. Groups with the same structure (a repeated block) share their inner
 * layout, so one of each kind is enough.
 */
import type { VisibleItem } from './visibleGraph';

export interface ScreenBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Paths of up to `limit` collapsed groups, those on screen first, one per kind. */
export function groupsToPrefetch(
  items: readonly VisibleItem[],
  boxes: ReadonlyMap<string, ScreenBox>,
  screen: ScreenBox,
  limit: number
): string[] {
  const onScreen = (id: string): boolean => {
    const b = boxes.get(id);
    return (
      !!b &&
      b.x < screen.x + screen.width &&
      b.x + b.width > screen.x &&
      b.y < screen.y + screen.height &&
      b.y + b.height > screen.y
    );
  };
  const groups = items.filter(i => i.kind === 'group');
  const ordered = [
    ...groups.filter(g => onScreen(g.id)),
    ...groups.filter(g => !onScreen(g.id))
  ];
  const kinds = new Set<string>();
  const out: string[] = [];
  for (const item of ordered) {
    if (item.kind !== 'group' || out.length >= limit) {
      continue;
    }
    const g = item.group;
    const kind = g.repeatCount > 1 ? `family ${g.repeatFamily}` : g.path;
    if (!kinds.has(kind)) {
      kinds.add(kind);
      out.push(g.path);
    }
  }
  return out;
}
