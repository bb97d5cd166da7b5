/**
 * Phase bands: a traced training step read as a person reads it. Forward
 * nodes (and inputs) keep their scopes in a "forward" band; each backward node
 * sits in a "backward ∇" band under the mirrored scope of the forward node it
 * differentiates ("∇ 0"); updates and optimiser state sit in an "update ⟳"
 * band under the scope of the parameter they write. A graph with no backward
 * or update node has no bands. Plain TypeScript.
 */
import type { GraphNode } from '../protocol';
import type { GraphModel } from './graphModel';
import { scopeSegments } from './scopeTree';

export type Band = 'forward' | 'backward' | 'update';

/** Each band's group name: its path at the top of the tree and its frame's title. */
export const BAND_NAMES: Readonly<Record<Band, string>> = {
  forward: 'forward',
  backward: 'backward ∇',
  update: 'update ⟳'
};

/** Marks a band's mirrored scope segment, so "∇ 0" reads as the gradient of "0". */
const MIRROR_MARK: Readonly<Record<Band, string>> = {
  forward: '',
  backward: '∇ ',
  update: '⟳ '
};

/** The band of each node, or null when the graph has only a forward pass. */
export function nodeBands(model: GraphModel): Map<string, Band> | null {
  const bands = new Map<string, Band>();
  let banded = false;
  for (const n of model.nodes) {
    const band = phaseBand(n);
    banded ||= band !== 'forward';
    bands.set(n.id, band);
  }
  if (!banded) {
    return null;
  }
  // Optimiser state: a variable read only by update nodes belongs with them.
  for (const n of model.nodes) {
    const uses = model.outgoing.get(n.id) ?? [];
    if (
      n.op === 'variable' &&
      uses.length > 0 &&
      uses.every(e => bands.get(e.target) === 'update')
    ) {
      bands.set(n.id, 'update');
    }
  }
  return bands;
}

function phaseBand(node: GraphNode): Band {
  return node.phase === 'backward'
    ? 'backward'
    : node.phase === 'update'
      ? 'update'
      : 'forward';
}

/** The node whose scope a node of a band mirrors: its forward node, or the parameter it updates. */
export function mirroredNode(
  model: GraphModel,
  node: GraphNode,
  band: Band
): GraphNode | null {
  if (band === 'backward' && node.forward_of) {
    return model.nodeById.get(node.forward_of) ?? null;
  }
  if (band === 'update') {
    return updatedParameter(model, node);
  }
  return null;
}

/** How far downstream an optimiser's helper node is followed to the update it feeds. */
const UPDATE_HOPS = 3;

/**
 * The parameter an update-band node belongs to: the one it writes (`updates`),
 * else the variable it reads, else the one written by the update it feeds
 * (momentum buffers and their arithmetic), a few steps downstream at most;
 * failing all, the forward node behind the gradient it reads.
 */
function updatedParameter(
  model: GraphModel,
  node: GraphNode
): GraphNode | null {
  let frontier = [node];
  for (let hop = 0; hop <= UPDATE_HOPS && frontier.length > 0; hop++) {
    const next: GraphNode[] = [];
    for (const n of frontier) {
      if (n.updates) {
        return model.nodeById.get(n.updates) ?? null;
      }
      for (const e of model.incoming.get(n.id) ?? []) {
        const input = model.nodeById.get(e.source);
        if (input?.op === 'variable' && input.phase !== 'update') {
          return input;
        }
      }
      for (const e of model.outgoing.get(n.id) ?? []) {
        const user = model.nodeById.get(e.target);
        if (user?.phase === 'update') {
          next.push(user);
        }
      }
    }
    frontier = next;
  }
  return gradientSource(model, node);
}

/** The forward node behind the gradient an update node reads (a `.grad ←` assign), or null. */
function gradientSource(model: GraphModel, node: GraphNode): GraphNode | null {
  for (const e of model.incoming.get(node.id) ?? []) {
    const input = model.nodeById.get(e.source);
    if (input?.phase === 'backward' && input.forward_of) {
      return model.nodeById.get(input.forward_of) ?? null;
    }
  }
  return null;
}

/** A node's place in the banded tree: the band, then the scope it mirrors, each segment marked. */
export interface BandedScope {
  /** Group path: `backward ∇/∇ 0/∇ fc`. */
  path: string;
  /** The graph scope behind each group path made here (`∇ 0` → `0`), the band itself → null. */
  scopes: [string, string | null][];
}

export function bandedScope(
  model: GraphModel,
  node: GraphNode,
  band: Band
): BandedScope {
  const mirror = mirroredNode(model, node, band);
  const own = scopeSegments(node.scope);
  const segs =
    band === 'forward' || own.length > 0 || !mirror
      ? own
      : scopeSegments(mirror.scope);
  const scopes: [string, string | null][] = [[BAND_NAMES[band], null]];
  let path = BAND_NAMES[band];
  segs.forEach((seg, i) => {
    path = `${path}/${MIRROR_MARK[band]}${seg}`;
    scopes.push([path, segs.slice(0, i + 1).join('/')]);
  });
  return { path, scopes };
}
