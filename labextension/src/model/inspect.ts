/**
 * The inspector's exchange with the kernel: InspectRequest out, InspectReply
 * back with histogram counts (float64) and heatmap values (float32) as binary
 * buffers. Requests are numbered; only the answer to the newest counts.
 */
import type { InspectReply, InspectRequest, TensorSummary } from '../protocol';

export type BufferLike = ArrayBuffer | ArrayBufferView;

export interface DecodedSummary {
  summary: TensorSummary;
  histogram: Float64Array | null;
  heatmap: Float32Array | null;
}

export interface DecodedReply {
  requestId: number;
  nodeId: string;
  value: DecodedSummary | null;
  grad: DecodedSummary | null;
  error: string | null;
}

/** A copy of a buffer's bytes (copying also fixes alignment for typed arrays). */
function bytesOf(buffer: BufferLike): ArrayBuffer {
  if (!ArrayBuffer.isView(buffer)) {
    // An ArrayBuffer (checked structurally: it may come from another realm).
    return (buffer as ArrayBuffer).slice(0);
  }
  const view = new Uint8Array(
    buffer.buffer,
    buffer.byteOffset,
    buffer.byteLength
  );
  return view.slice().buffer;
}

function f64(
  buffer: BufferLike | undefined,
  count: number
): Float64Array | null {
  if (!buffer) {
    return null;
  }
  const bytes = bytesOf(buffer);
  const n = Math.min(count, Math.floor(bytes.byteLength / 8));
  return new Float64Array(bytes, 0, n);
}

function f32(
  buffer: BufferLike | undefined,
  count: number
): Float32Array | null {
  if (!buffer) {
    return null;
  }
  const bytes = bytesOf(buffer);
  const n = Math.min(count, Math.floor(bytes.byteLength / 4));
  return new Float32Array(bytes, 0, n);
}

export function decodeSummary(
  summary: TensorSummary | null | undefined,
  buffers: readonly BufferLike[]
): DecodedSummary | null {
  if (!summary) {
    return null;
  }
  const h = summary.histogram;
  const m = summary.heatmap;
  return {
    summary,
    histogram: h ? f64(buffers[h.buffer], h.bins) : null,
    heatmap: m ? f32(buffers[m.buffer], m.rows * m.cols) : null
  };
}

export function isInspectReply(content: unknown): content is InspectReply {
  if (typeof content !== 'object' || content === null) {
    return false;
  }
  const c = content as { kind?: unknown; request_id?: unknown };
  return c.kind === 'inspect_reply' && typeof c.request_id === 'number';
}

/** Decode a custom message; null when it is not an InspectReply. */
export function decodeInspectReply(
  content: unknown,
  buffers: readonly BufferLike[] | undefined
): DecodedReply | null {
  if (!isInspectReply(content)) {
    return null;
  }
  const bufs = buffers ?? [];
  return {
    requestId: content.request_id,
    nodeId: content.node_id,
    value: decodeSummary(content.value, bufs),
    grad: decodeSummary(content.grad, bufs),
    error: content.error ?? null
  };
}

/** Numbers requests and tells which reply is the newest one's. */
export class InspectTracker {
  private next = 1;
  private latest = 0;

  request(nodeId: string): InspectRequest {
    this.latest = this.next++;
    return { kind: 'inspect', request_id: this.latest, node_id: nodeId };
  }

  /** True when the reply answers the newest request (older ones are stale). */
  isCurrent(reply: { requestId: number }): boolean {
    return reply.requestId === this.latest;
  }

  get latestId(): number {
    return this.latest;
  }
}

/** Format a statistic: `null` as an em dash, numbers compactly. */
export function formatStat(v: number | null | undefined): string {
  if (v === null || v === undefined) {
    return '—';
  }
  if (Number.isInteger(v)) {
    return String(v);
  }
  const abs = Math.abs(v);
  return abs !== 0 && (abs >= 1e5 || abs < 1e-3)
    ? v.toExponential(3)
    : String(Number(v.toPrecision(6)));
}
