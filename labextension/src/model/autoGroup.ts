/**
 * Groups for what has no scopes: one level's ordered children (nodes and
 * scope groups) are cut into runs of repeated blocks (an unrolled loop's
 * steps, a Sequential's identical layers) and, where a level is still too
 * long, into consecutive chunks, so no level shows more than `limit` items.
 * Plain TypeScript, iterative, linear in the level's length.
 */

/** What an automatic group stands for: a run of repeats, one repeat, or a cut of a long level. */
export type AutoKind = 'run' | 'block' | 'chunk';

/** One child of a level, as auto-grouping sees it. */
export interface LevelChild {
  /** Equal for children built alike (a node's op, a group's structural signature). */
  token: string;
  /** A child scope group (a unit of its own) rather than a single node. */
  isGroup: boolean;
  /** How a range of children is named: a group's name, a node's position. */
  label: string;
  /** What the child is, for a run's heading: a group's module type, a node's op. */
  type?: string;
}

/** A synthetic group around some of a level's children. */
export interface AutoSegment {
  name: string;
  kind: AutoKind;
  /** For a run, how many copies of its block it holds; 1 otherwise. */
  copies: number;
  /** A run's or block's layer types ("Linear+ReLU"), when its groups' types are known. */
  typeName?: string;
}

export interface AutoGroupOptions {
  /** The most items a level may show. */
  limit: number;
  /** The longest repeated block looked for, in children. */
  maxPeriod: number;
  /** The fewest copies that make a run. */
  minCopies: number;
}

export const AUTO_GROUP_DEFAULTS: AutoGroupOptions = {
  limit: 50,
  maxPeriod: 12,
  minCopies: 3
};

/** A level's item while grouping: a child (by index) or a synthetic group of items. */
interface Piece {
  child: number;
  segment: AutoSegment | null;
  members: Piece[];
  first: string;
  last: string;
}

/**
 * The synthetic groups each child of a level sits in, outermost first (an
 * empty list for a child left where it is). Nothing changes for a level
 * without repeats that fits the limit.
 */
export function groupLevel(
  children: readonly LevelChild[],
  options: AutoGroupOptions = AUTO_GROUP_DEFAULTS
): AutoSegment[][] {
  const leaves: Piece[] = children.map((c, i) => ({
    child: i,
    segment: null,
    members: [],
    first: c.label,
    last: c.label
  }));
  let pieces = wrapRepeats(children, leaves, options);
  pieces = chunk(pieces, options.limit);
  const out: AutoSegment[][] = children.map(() => []);
  const stack: { piece: Piece; path: AutoSegment[] }[] = pieces.map(p => ({
    piece: p,
    path: []
  }));
  while (stack.length > 0) {
    const { piece, path } = stack.pop() as {
      piece: Piece;
      path: AutoSegment[];
    };
    if (piece.segment === null) {
      out[piece.child] = path;
      continue;
    }
    const inner = [...path, piece.segment];
    for (const m of piece.members) {
      stack.push({ piece: m, path: inner });
    }
  }
  return out;
}

function group(segment: AutoSegment, members: Piece[]): Piece {
  return {
    child: -1,
    segment,
    members,
    first: members[0].first,
    last: members[members.length - 1].last
  };
}

/** For each period p, how many positions from i on satisfy token[j] === token[j + p]. */
function matchLengths(ids: Int32Array, p: number): Int32Array {
  const n = ids.length;
  const out = new Int32Array(n + 1);
  for (let i = n - p - 1; i >= 0; i--) {
    out[i] = ids[i] === ids[i + p] ? out[i + 1] + 1 : 0;
  }
  return out;
}

/** Whether ids[i..i+p) repeats a shorter block (then the shorter period describes it). */
function isPrimitive(ids: Int32Array, i: number, p: number): boolean {
  for (let d = 1; d < p; d++) {
    if (p % d !== 0) {
      continue;
    }
    let periodic = true;
    for (let k = i; k + d < i + p; k++) {
      if (ids[k] !== ids[k + d]) {
        periodic = false;
        break;
      }
    }
    if (periodic) {
      return false;
    }
  }
  return true;
}

/**
 * Greedy, left to right: at each child take the period whose copies cover the
 * most children (ties: the shorter period); a run of at least `minCopies`
 * copies becomes a run group of block groups (blocks of one child group are
 * the groups themselves). Single repeated nodes are left to chunking.
 */
function wrapRepeats(
  children: readonly LevelChild[],
  leaves: Piece[],
  options: AutoGroupOptions
): Piece[] {
  const n = children.length;
  const tokenIds = new Map<string, number>();
  const ids = new Int32Array(n);
  children.forEach((c, i) => {
    let id = tokenIds.get(c.token);
    if (id === undefined) {
      id = tokenIds.size;
      tokenIds.set(c.token, id);
    }
    ids[i] = id;
  });
  const maxP = Math.min(options.maxPeriod, Math.floor(n / options.minCopies));
  const lengths: Int32Array[] = [];
  for (let p = 1; p <= maxP; p++) {
    lengths[p] = matchLengths(ids, p);
  }
  const out: Piece[] = [];
  let i = 0;
  while (i < n) {
    let bestP = 0;
    let bestCopies = 0;
    for (let p = 1; p <= maxP; p++) {
      const copies = ((lengths[p][i] + p) / p) | 0;
      if (
        copies >= options.minCopies &&
        copies * p > bestCopies * bestP &&
        (p > 1 || children[i].isGroup) &&
        isPrimitive(ids, i, p)
      ) {
        bestP = p;
        bestCopies = copies;
      }
    }
    if (bestP === 0) {
      out.push(leaves[i]);
      i++;
      continue;
    }
    const types = blockTypes(children, i, bestP);
    const blocks: Piece[] = [];
    for (let c = 0; c < bestCopies; c++) {
      const start = i + c * bestP;
      const members = leaves.slice(start, start + bestP);
      blocks.push(
        bestP === 1
          ? members[0]
          : group(
              {
                name: blockName(children, start, bestP, c),
                kind: 'block',
                copies: 1,
                ...types
              },
              members
            )
      );
    }
    const coversLevel = bestCopies * bestP === n;
    if (coversLevel) {
      // A loop, not a spread: a level may hold more blocks than a call takes arguments.
      for (const b of blocks) {
        out.push(b);
      }
    } else {
      const name = runName(children, i, bestP, bestCopies);
      const instances = /\[\d+…\d+\]$/.test(name);
      out.push(
        group(
          {
            name,
            kind: 'run',
            copies: bestCopies,
            ...(instances ? {} : types)
          },
          blocks
        )
      );
    }
    i += bestCopies * bestP;
  }
  return out;
}

/** A numbered instance's name ("cell[3]") as its base and number. */
const INSTANCE = /^(.*)\[(\d+)\]$/;

/**
 * A run's name: numbered instances of one module by their range ("cell[0…6]"),
 * other groups by their first and last names ("0–79"), nodes by their steps.
 */
function runName(
  children: readonly LevelChild[],
  start: number,
  p: number,
  copies: number
): string {
  const first = children[start];
  const lastBlock = children[start + (copies - 1) * p];
  const a = INSTANCE.exec(first.label);
  const b = INSTANCE.exec(lastBlock.label);
  if (first.isGroup && a && b && a[1] === b[1]) {
    // lowest first, whichever way the run was laid out (a backward pass lists them last-first)
    const [lo, hi] = [Number(a[2]), Number(b[2])].sort((x, y) => x - y);
    return `${a[1]}[${lo}…${hi}]`;
  }
  if (p > 1 && !first.isGroup) {
    return `steps 1–${copies}`;
  }
  return `${first.label}–${children[start + copies * p - 1].label}`;
}

/** A block's layer types joined ("Linear+ReLU"), when it holds groups and all types are known. */
function blockTypes(
  children: readonly LevelChild[],
  start: number,
  p: number
): { typeName?: string } {
  const block = children.slice(start, start + p);
  if (!block.some(c => c.isGroup) || block.some(c => !c.type)) {
    return {};
  }
  return { typeName: block.map(c => c.type).join('+') };
}

/** A block of groups is named by its first and last group; a block of nodes by its step. */
function blockName(
  children: readonly LevelChild[],
  start: number,
  p: number,
  copy: number
): string {
  const first = children[start];
  const last = children[start + p - 1];
  return first.isGroup && last.isGroup
    ? `${first.label}–${last.label}`
    : `step ${copy + 1}`;
}

/** Cut a list longer than `limit` into balanced consecutive chunks, level upon level. */
function chunkList(pieces: Piece[], limit: number): Piece[] {
  let level = pieces;
  while (level.length > limit) {
    const count = Math.ceil(level.length / limit);
    const size = Math.ceil(level.length / count);
    const next: Piece[] = [];
    for (let s = 0; s < level.length; s += size) {
      const members = level.slice(s, s + size);
      next.push(
        members.length === 1
          ? members[0]
          : group(
              {
                name: `${members[0].first}…${members[members.length - 1].last}`,
                kind: 'chunk',
                copies: 1
              },
              members
            )
      );
    }
    level = next;
  }
  return level;
}

/** Chunk the level, then every run still longer than the limit (a work list, no recursion). */
function chunk(pieces: Piece[], limit: number): Piece[] {
  const level = chunkList(pieces, limit);
  const work = [...level];
  while (work.length > 0) {
    const p = work.pop() as Piece;
    if (p.segment !== null && p.members.length > limit) {
      p.members = chunkList(p.members, limit);
    }
    work.push(...p.members);
  }
  return level;
}
