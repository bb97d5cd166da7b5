/**
 * What the kernel says when it could not take a message: an ErrorReply to a
 * request it could not read or answer (its `request_id` null when the id was
 * unreadable), or a StateRejected when it refused a state update whole and
 * kept its previous values (which it sends back as an ordinary update).
 */
import type { ErrorReply, StateRejected } from '../protocol';

export type KernelNotice =
  | { kind: 'error'; requestId: number | null; message: string }
  | { kind: 'state_rejected'; traits: string[]; message: string };

/** Decode a custom message; null when it is neither notice. */
export function decodeKernelNotice(content: unknown): KernelNotice | null {
  if (typeof content !== 'object' || content === null) {
    return null;
  }
  const c = content as Partial<
    Record<keyof (ErrorReply & StateRejected), unknown>
  >;
  if (typeof c.error !== 'string') {
    return null;
  }
  if (
    c.kind === 'error' &&
    (c.request_id === null || typeof c.request_id === 'number')
  ) {
    return { kind: 'error', requestId: c.request_id, message: c.error };
  }
  if (
    c.kind === 'state_rejected' &&
    Array.isArray(c.traits) &&
    c.traits.every((t): t is string => typeof t === 'string')
  ) {
    return { kind: 'state_rejected', traits: c.traits, message: c.error };
  }
  return null;
}

/** The line a person reads for a notice. */
export function noticeText(notice: KernelNotice): string {
  if (notice.kind === 'error') {
    return `vizflow: the kernel could not answer: ${notice.message}`;
  }
  const what = notice.traits.length ? notice.traits.join(', ') : 'the change';
  return `vizflow: the kernel kept the previous ${what}: ${notice.message}`;
}
