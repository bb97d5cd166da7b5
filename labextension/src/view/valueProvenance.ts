/**
 * When an inspected value was taken (from the kernel's inspect reply, read defensively:
 * older kernels do not send it): recorded at run time, or a leaf's current value, and
 * whether the tensor changed since the graph was recorded.
 */
import type { DecodedReply } from '../model/inspect';

export interface ValueProvenance {
  source: 'recorded' | 'current' | null;
  changedSinceRecorded: boolean | null;
}

/** An inspect reply with what the view knows of its values' provenance. */
export interface InspectedValues extends DecodedReply {
  provenance?: ValueProvenance;
}

export function provenanceOf(content: unknown): ValueProvenance {
  const c = (
    typeof content === 'object' && content !== null ? content : {}
  ) as { value_source?: unknown; changed_since_recorded?: unknown };
  const source =
    c.value_source === 'recorded' || c.value_source === 'current'
      ? c.value_source
      : null;
  const changed =
    typeof c.changed_since_recorded === 'boolean'
      ? c.changed_since_recorded
      : null;
  return { source, changedSinceRecorded: changed };
}

/** The inspector's line for a provenance, or null when the kernel said nothing. */
export function provenanceText(p: ValueProvenance | undefined): string | null {
  if (!p || p.source === null) {
    return null;
  }
  return p.source === 'recorded'
    ? 'recorded when the graph ran'
    : 'current value (read now, not recorded)';
}
