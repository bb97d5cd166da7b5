/**
 * What the canvas shows about correctness: each node's state (error, valid,
 * executed, stale) with its message, a summary line for the toolbar, and while
 * a wire is dragged, each port's verdict from the kernel's probe.
 */
import type { EditorProbeTarget } from '../../protocol';
import type { DocIndex, EditorNode, NodeState } from './document';

/** A port's look while a wire is dragged. */
export interface PortVerdict {
  ok: boolean;
  reason: string;
}

/** One line per state, for the node's title and legend. */
export const STATE_TEXT: Record<NodeState, string> = {
  error: 'not valid yet',
  valid: 'valid (not run)',
  executed: 'run — values fresh',
  stale: 'stale — changed upstream since the run'
};

/** Key of a port in the verdict map. */
export function portKey(node: string, port: number): string {
  return `${node}\u0000${port}`;
}

/** The probe's answer as a map from port to verdict. */
export function verdicts(
  targets: readonly EditorProbeTarget[]
): Map<string, PortVerdict> {
  const out = new Map<string, PortVerdict>();
  for (const t of targets) {
    out.set(portKey(t.node, t.port), { ok: t.ok, reason: t.reason ?? '' });
  }
  return out;
}

/** The message shown on a node: its error, if it has one. */
export function nodeMessage(node: EditorNode): string | null {
  if (node.state !== 'error') {
    return null;
  }
  if (!node.error) {
    return 'not valid yet';
  }
  return node.error.rule
    ? `${node.error.message} (${node.error.rule})`
    : node.error.message;
}

export interface ValiditySummary {
  counts: Record<NodeState, number>;
  /** The first node with an error, to jump to; null when none. */
  firstError: string | null;
  text: string;
}

/** Counts per state and a line such as "2 errors · 5 valid". */
export function summarise(index: DocIndex): ValiditySummary {
  const counts: Record<NodeState, number> = {
    error: 0,
    valid: 0,
    executed: 0,
    stale: 0
  };
  let firstError: string | null = null;
  for (const n of index.doc.nodes) {
    counts[n.state] += 1;
    if (n.state === 'error' && firstError === null) {
      firstError = n.id;
    }
  }
  const parts: string[] = [];
  if (counts.error) {
    parts.push(`${counts.error} error${counts.error === 1 ? '' : 's'}`);
  }
  for (const s of ['valid', 'executed', 'stale'] as const) {
    if (counts[s]) {
      parts.push(`${counts[s]} ${s}`);
    }
  }
  return {
    counts,
    firstError,
    text: parts.length ? parts.join(' · ') : 'empty graph'
  };
}
