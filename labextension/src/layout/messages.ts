/**
 * Typed messages between the page and the layout worker.
 *
 * Every request carries an id. The page only ever cares about its newest
 * request: a newer request supersedes older ones, which the worker skips if it
 * has not started them yet and whose answers the page ignores.
 */

export type LayoutDirection = 'RIGHT' | 'DOWN';

/** A node as the layout sees it: a box with ordered input ports and one output port. */
export interface LayoutNodeInput {
  id: string;
  width: number;
  height: number;
  /** Number of input ports, numbered 0..inPorts-1 (the edges' target_port). */
  inPorts: number;
  /**
   * Identity that survives collapsing and expanding (a group's path): a collapsed
   * group's box and its expanded frame share it, so a level whose only change is
   * that box's size is shifted instead of laid out again. Defaults to `id`.
   */
  key?: string;
  /** The frame that holds this node (an expanded group), if any. */
  parent?: string | null;
  /** In a backward or update band: the forward band's member this one lines up with. */
  align?: string;
  /** A graph input (placeholder): laid out in its level's first layer, where a reader starts. */
  first?: boolean;
}

/** A phase band (model/bands.ts): bands are stacked, the backward one mirrored. */
export type LayoutBand = 'forward' | 'backward' | 'update';

/** A container drawn around its members (an expanded group); sized by the layout. */
export interface LayoutFrameInput {
  id: string;
  /** See LayoutNodeInput.key. */
  key?: string;
  parent?: string | null;
  /** See LayoutNodeInput.align. */
  align?: string;
  /** Set on the top frames of a graph laid out in phase bands. */
  band?: LayoutBand;
}

export interface LayoutEdgeInput {
  id: string;
  source: string;
  target: string;
  targetPort: number;
}

export interface LayoutGraphInput {
  nodes: LayoutNodeInput[];
  edges: LayoutEdgeInput[];
  /** Containers, listed before the frames they hold or in any order. */
  frames?: LayoutFrameInput[];
}

export interface LayoutOptions {
  direction: LayoutDirection;
  /** Space between layers (px), so edge labels fit between the nodes; default 60. */
  layerGap?: number;
}

export interface LayoutRequest {
  type: 'layout';
  id: number;
  graph: LayoutGraphInput;
  options: LayoutOptions;
}

/** Ask the worker not to answer a request (it is superseded or no longer needed). */
export interface CancelRequest {
  type: 'cancel';
  id: number;
}

/**
 * Lay out ahead of need (the view with one more group open, which the user may ask for
 * next). Nothing is answered: it only fills the worker's cache, and it waits while a
 * layout request is queued.
 */
export interface PrefetchRequest {
  type: 'prefetch';
  id: number;
  graph: LayoutGraphInput;
  options: LayoutOptions;
}

export type ToWorker = LayoutRequest | CancelRequest | PrefetchRequest;

export interface PortPosition {
  /** 'out' or 'in<k>' */
  id: string;
  /** Relative to the node's top-left corner, the port's centre. */
  x: number;
  y: number;
}

export interface NodePosition {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
  ports: PortPosition[];
}

/** A laid-out frame, in absolute coordinates. */
export interface FramePosition {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LayoutResult {
  /** Absolute positions (frames' offsets already added). */
  nodes: NodePosition[];
  frames?: FramePosition[];
  width: number;
  height: number;
}

export interface LayoutDone {
  type: 'done';
  id: number;
  result: LayoutResult;
  /** Milliseconds spent laying out (in the worker). */
  elapsedMs: number;
}

export interface LayoutFailed {
  type: 'error';
  id: number;
  message: string;
}

/** A request the worker dropped because a newer one arrived or it was cancelled. */
export interface LayoutSkipped {
  type: 'skipped';
  id: number;
}

export type FromWorker = LayoutDone | LayoutFailed | LayoutSkipped;

export function inPortId(nodeId: string, port: number): string {
  return `${nodeId}::in${port}`;
}

export function outPortId(nodeId: string): string {
  return `${nodeId}::out`;
}

export function isToWorker(data: unknown): data is ToWorker {
  if (typeof data !== 'object' || data === null) {
    return false;
  }
  const d = data as { type?: unknown; id?: unknown };
  return (
    (d.type === 'layout' || d.type === 'cancel' || d.type === 'prefetch') &&
    typeof d.id === 'number'
  );
}

export function isFromWorker(data: unknown): data is FromWorker {
  if (typeof data !== 'object' || data === null) {
    return false;
  }
  const d = data as { type?: unknown; id?: unknown };
  return (
    (d.type === 'done' || d.type === 'error' || d.type === 'skipped') &&
    typeof d.id === 'number'
  );
}
