/** A debugger's node marks as the canvas draws them (groups collapse some nodes away). */
import type { DebugMark } from './OpNode';

/**
 * A debugger's marks moved onto the items drawn: a hidden node's mark is left out, except the
 * node paused at, whose collapsed group is marked as paused inside (naming the node).
 */
export function shownDebugMarks(
  marks: ReadonlyMap<string, DebugMark> | undefined,
  repOf: ReadonlyMap<string, string>,
  nameOf: (id: string) => string
): ReadonlyMap<string, DebugMark> | undefined {
  if (!marks) {
    return undefined;
  }
  const out = new Map<string, DebugMark>();
  for (const [id, mark] of marks) {
    const item = repOf.get(id) ?? id;
    if (item === id) {
      out.set(item, mark);
    } else if (mark.state === 'current') {
      out.set(item, { ...mark, inside: { id, name: nameOf(id) } });
    }
  }
  return out;
}
