/**
 * Groups built from node scopes (`encoder/layer3/attn`): a tree of scope
 * groups with node counts, op summaries and structural signatures, so repeated
 * blocks (`layers/0` ... `layers/11`) can be recognised. Plain TypeScript.
 */
import {
  type AutoKind,
  type AutoSegment,
  groupLevel,
  type LevelChild
} from './autoGroup';
import { bandedScope, nodeBands } from './bands';
import type { GraphModel } from './graphModel';

/** The root group's path: nodes with an empty scope live here. */
export const ROOT_PATH = '';

export interface OpCount {
  op: string;
  count: number;
}

export interface ScopeGroup {
  /** Normalised slash path, e.g. `encoder/layer3`; '' for the root. */
  path: string;
  /** The last segment of the path. */
  name: string;
  /** Number of path segments: 0 for the root, 1 for top-level groups. */
  depth: number;
  /** The parent group's path; null for the root. */
  parent: string | null;
  /** Direct child groups, in order of first appearance. */
  childGroups: string[];
  /** Ids of the nodes directly in this scope, in payload order. */
  childNodes: string[];
  /** Ids of every node in this group or below, in payload order. */
  descendants: string[];
  /** The most frequent ops below this group, most frequent first. */
  opSummary: OpCount[];
  /** Equal for groups with the same internal structure. */
  signature: string;
  /** How many groups share the signature (1 when unique). */
  repeatCount: number;
  /** Index of the family of repeated groups (for a colour), -1 when unique. */
  repeatFamily: number;
  /** 'scope' for a scope of the graph; otherwise made by auto-grouping (autoGroup.ts). */
  kind: GroupKind;
  /** The graph's scope path of a 'scope' group (its path may hold auto groups above it); null for an auto group. */
  scope: string | null;
  /** The class of the module called under the scope (payload's scope_types), or null. */
  typeName: string | null;
  /** For a run of repeats, how many copies of its block it holds; 1 otherwise. */
  copies: number;
}

/** 'band': a phase band (bands.ts) at the top of a training step's tree. */
export type GroupKind = 'scope' | 'band' | AutoKind;

/** What a group path stands for when it is not a plain scope path. */
interface PathInfo {
  kind: GroupKind;
  scope: string | null;
  copies: number;
  /** An auto group's layer types ("Linear+ReLU"). */
  typeName?: string;
}

export interface ScopeTree {
  readonly groups: ReadonlyMap<string, ScopeGroup>;
  readonly root: ScopeGroup;
  /** The group path of each node. */
  readonly groupOfNode: ReadonlyMap<string, string>;
  /** The deepest group depth (0 when there are no groups). */
  readonly maxDepth: number;
  /** The top groups are phase bands, always open: collapse depths count from below them. */
  readonly banded: boolean;
}

/** Split a scope into clean segments: no empty parts, no surrounding spaces. */
export function scopeSegments(scope: string | undefined | null): string[] {
  if (!scope) {
    return [];
  }
  return scope
    .split('/')
    .map(s => s.trim())
    .filter(s => s.length > 0);
}

export function normaliseScope(scope: string | undefined | null): string {
  return scopeSegments(scope).join('/');
}

/** The parent path of a group path ('' for a top-level group). */
export function parentPath(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? ROOT_PATH : path.slice(0, i);
}

/** Paths of a group's ancestors and itself, top-down, without the root. */
export function pathChain(path: string): string[] {
  const segs = scopeSegments(path);
  const chain: string[] = [];
  for (let i = 1; i <= segs.length; i++) {
    chain.push(segs.slice(0, i).join('/'));
  }
  return chain;
}

const OP_SUMMARY_SIZE = 4;

/**
 * The group tree of a graph: its scopes, with auto groups (runs of repeated
 * blocks, chunks of long levels) added wherever a level has repeats or more
 * items than fit on screen. A node's own `scope` is unchanged.
 */
export function buildScopeTree(model: GraphModel): ScopeTree {
  const { pathOf, info } = scopePaths(model);
  const built = buildTree(model, pathOf, info);
  const auto = autoPaths(model, built);
  if (auto === null) {
    return built.tree;
  }
  return buildTree(model, id => auto.pathOf.get(id) ?? ROOT_PATH, auto.info)
    .tree;
}

/** Each node's group path from its scope, under its phase band when the graph has bands. */
function scopePaths(model: GraphModel): {
  pathOf: (id: string) => string;
  info: Map<string, PathInfo>;
} {
  const info = new Map<string, PathInfo>();
  const bands = nodeBands(model);
  if (bands === null) {
    return {
      pathOf: id => normaliseScope(model.nodeById.get(id)?.scope),
      info
    };
  }
  const paths = new Map<string, string>();
  for (const n of model.nodes) {
    const banded = bandedScope(model, n, bands.get(n.id) ?? 'forward');
    paths.set(n.id, banded.path);
    for (const [path, scope] of banded.scopes) {
      if (!info.has(path)) {
        info.set(path, {
          kind: scope === null ? 'band' : 'scope',
          scope,
          copies: 1
        });
      }
    }
  }
  return { pathOf: id => paths.get(id) ?? ROOT_PATH, info };
}

interface BuiltTree {
  tree: ScopeTree;
  /** Children of each group in order of first appearance: `n:<id>` or `g:<path>`. */
  childKeys: Map<string, string[]>;
}

function buildTree(
  model: GraphModel,
  pathOfNode: (id: string) => string,
  info: ReadonlyMap<string, PathInfo>
): BuiltTree {
  const groups = new Map<string, ScopeGroup>();
  const root = newGroup(ROOT_PATH, null, model, info);
  groups.set(ROOT_PATH, root);
  const groupOfNode = new Map<string, string>();
  const childKeys = new Map<string, string[]>([[ROOT_PATH, []]]);
  let maxDepth = 0;

  const ensure = (path: string): ScopeGroup => {
    const missing: string[] = [];
    let p = path;
    while (!groups.has(p)) {
      missing.push(p);
      p = parentPath(p);
    }
    for (let i = missing.length - 1; i >= 0; i--) {
      const parent = groups.get(parentPath(missing[i])) as ScopeGroup;
      const g = newGroup(missing[i], parent.path, model, info);
      groups.set(g.path, g);
      parent.childGroups.push(g.path);
      (childKeys.get(parent.path) as string[]).push(`g:${g.path}`);
      childKeys.set(g.path, []);
      maxDepth = Math.max(maxDepth, g.depth);
    }
    return groups.get(path) as ScopeGroup;
  };

  for (const node of model.nodes) {
    const path = pathOfNode(node.id);
    const g = ensure(path);
    g.childNodes.push(node.id);
    (childKeys.get(path) as string[]).push(`n:${node.id}`);
    groupOfNode.set(node.id, path);
    // Every ancestor, the root included, counts the node.
    let p: string | null = path;
    while (p !== null) {
      const anc = groups.get(p) as ScopeGroup;
      anc.descendants.push(node.id);
      p = anc.parent;
    }
  }

  for (const g of groups.values()) {
    g.opSummary = summariseOps(model, g.descendants);
  }
  computeSignatures(model, groups, childKeys, groupOfNode);
  markRepeats(groups);
  const banded = [...info.values()].some(i => i.kind === 'band');
  return {
    tree: { groups, root, groupOfNode, maxDepth, banded },
    childKeys
  };
}

/**
 * Each node's path with auto groups inserted (autoGroup.ts decides per level,
 * top-down by depth, without recursion), or null when no level needs any.
 */
function autoPaths(
  model: GraphModel,
  built: BuiltTree
): { pathOf: Map<string, string>; info: Map<string, PathInfo> } | null {
  const { tree, childKeys } = built;
  const info = new Map<string, PathInfo>();
  const newPath = new Map<string, string>([[ROOT_PATH, ROOT_PATH]]);
  const pathOf = new Map<string, string>();
  let changed = false;
  const levels = [...tree.groups.values()].sort((a, b) => a.depth - b.depth);
  for (const level of levels) {
    const keys = childKeys.get(level.path) ?? [];
    const children: LevelChild[] = keys.map((key, i) => {
      if (key.startsWith('n:')) {
        const node = model.nodeById.get(key.slice(2));
        return {
          token: `n:${node?.op ?? ''}`,
          isGroup: false,
          label: `#${i + 1}`,
          type: node?.op
        };
      }
      const child = tree.groups.get(key.slice(2)) as ScopeGroup;
      return {
        token: `g:${signatureName(child)}=${child.signature}`,
        isGroup: true,
        label: child.name,
        type: child.typeName ?? undefined
      };
    });
    const segments = groupLevel(children);
    const base = newPath.get(level.path) as string;
    const taken = new Set(level.childGroups.map(p => tree.groups.get(p)?.name));
    // Children of one auto group share one segment list: name its path once.
    const pathOfSegments = new Map<AutoSegment[], string>();
    keys.forEach((key, i) => {
      let path = pathOfSegments.get(segments[i]);
      if (path === undefined) {
        path = base;
        for (const seg of segments[i]) {
          let name = seg.name;
          while (taken.has(name)) {
            name += '′';
          }
          path = path === ROOT_PATH ? name : `${path}/${name}`;
          info.set(path, {
            kind: seg.kind,
            scope: null,
            copies: seg.copies,
            typeName: seg.typeName
          });
          changed = true;
        }
        pathOfSegments.set(segments[i], path);
      }
      if (key.startsWith('n:')) {
        pathOf.set(key.slice(2), path);
      } else {
        const child = tree.groups.get(key.slice(2)) as ScopeGroup;
        const full = path === ROOT_PATH ? child.name : `${path}/${child.name}`;
        newPath.set(child.path, full);
        info.set(full, {
          kind: child.kind,
          scope: child.scope,
          copies: child.copies
        });
      }
    });
  }
  return changed ? { pathOf, info } : null;
}

function newGroup(
  path: string,
  parent: string | null,
  model: GraphModel,
  info: ReadonlyMap<string, PathInfo>
): ScopeGroup {
  const segs = scopeSegments(path);
  const known = info.get(path);
  const scope = known ? known.scope : path === ROOT_PATH ? null : path;
  return {
    path,
    name: segs.length ? segs[segs.length - 1] : '',
    depth: segs.length,
    parent,
    childGroups: [],
    childNodes: [],
    descendants: [],
    opSummary: [],
    signature: '',
    repeatCount: 1,
    repeatFamily: -1,
    kind: known?.kind ?? 'scope',
    scope,
    typeName:
      known?.typeName ??
      (scope === null ? null : (model.scopeTypes.get(scope) ?? null)),
    copies: known?.copies ?? 1
  };
}

function summariseOps(model: GraphModel, ids: readonly string[]): OpCount[] {
  const counts = new Map<string, number>();
  for (const id of ids) {
    const op = model.nodeById.get(id)?.op ?? '?';
    counts.set(op, (counts.get(op) ?? 0) + 1);
  }
  return [...counts.entries()]
    .map(([op, count]) => ({ op, count }))
    .sort((a, b) => b.count - a.count || a.op.localeCompare(b.op))
    .slice(0, OP_SUMMARY_SIZE);
}

/**
 * Structural signatures, computed bottom-up like a Merkle tree: a group's
 * signature hashes its children in order of first appearance (a node by its
 * op, a child group by its name and signature) and the edges between those
 * children (as child indices and ports). Names of the group itself and node
 * ids do not count, so `layers/0` and `layers/7` match when built alike.
 */
function computeSignatures(
  model: GraphModel,
  groups: Map<string, ScopeGroup>,
  childKeys: Map<string, string[]>,
  groupOfNode: ReadonlyMap<string, string>
): void {
  const chains = new Map<string, string[]>();
  const chainOf = (path: string): string[] => {
    let c = chains.get(path);
    if (!c) {
      c = path === ROOT_PATH ? [] : [...chainOf(parentPath(path)), path];
      chains.set(path, c);
    }
    return c;
  };
  const indexOf = new Map<string, Map<string, number>>();
  for (const [path, keys] of childKeys) {
    indexOf.set(path, new Map(keys.map((k, i) => [k, i])));
  }
  const levelEdges = new Map<string, string[]>();
  for (const e of model.edges) {
    const cs = chainOf(groupOfNode.get(e.source) ?? ROOT_PATH);
    const ct = chainOf(groupOfNode.get(e.target) ?? ROOT_PATH);
    let d = 0;
    while (d < cs.length && d < ct.length && cs[d] === ct[d]) {
      d++;
    }
    const lca = d === 0 ? ROOT_PATH : cs[d - 1];
    if (lca === ROOT_PATH) {
      continue; // the root's signature is not computed
    }
    const s = d < cs.length ? `g:${cs[d]}` : `n:${e.source}`;
    const t = d < ct.length ? `g:${ct[d]}` : `n:${e.target}`;
    if (s === t) {
      continue;
    }
    const idx = indexOf.get(lca) as Map<string, number>;
    const port = t.startsWith('n:') ? e.target_port : 0;
    const list = levelEdges.get(lca);
    const text = `${idx.get(s)}>${idx.get(t)}:${port}`;
    if (list) {
      list.push(text);
    } else {
      levelEdges.set(lca, [text]);
    }
  }
  // The root's signature is never compared (it has no siblings): skip its long text.
  const byDepth = [...groups.values()]
    .filter(g => g.path !== ROOT_PATH)
    .sort((a, b) => b.depth - a.depth);
  for (const g of byDepth) {
    const parts: string[] = [];
    for (const key of childKeys.get(g.path) ?? []) {
      if (key.startsWith('n:')) {
        parts.push(model.nodeById.get(key.slice(2))?.op ?? '');
      } else {
        const child = groups.get(key.slice(2)) as ScopeGroup;
        parts.push(`[${signatureName(child)}=${child.signature}]`);
      }
    }
    parts.push('#');
    // A loop, not a spread: a level may have more edges than a call has room for arguments.
    for (const text of (levelEdges.get(g.path) ?? []).sort()) {
      parts.push(text);
    }
    g.signature = `${g.descendants.length}:${hash(parts.join(';'))}`;
  }
}

/** A child's name as its parent's signature sees it: numbers and auto names do not count. */
function signatureName(group: ScopeGroup): string {
  return group.kind === 'scope' ? group.name.replace(/\d+/g, '#') : group.kind;
}

/** Held once: a global lookup per character is slow in a sandboxed realm (jest's vm). */
const imul = Math.imul;

/** FNV-1a, two seeds, as 16 hex digits. */
export function hash(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = imul(h1 ^ c, 0x01000193);
    h2 = imul(h2 ^ c, 0x5bd1e995);
  }
  return (
    (h1 >>> 0).toString(16).padStart(8, '0') +
    (h2 >>> 0).toString(16).padStart(8, '0')
  );
}

function markRepeats(groups: Map<string, ScopeGroup>): void {
  const families = new Map<string, ScopeGroup[]>();
  for (const g of groups.values()) {
    // A chunk is a cut of a long level, not a repeat (a chain's chunks all look alike).
    if (
      g.path === ROOT_PATH ||
      g.descendants.length < 2 ||
      g.kind === 'chunk'
    ) {
      continue;
    }
    const list = families.get(g.signature);
    if (list) {
      list.push(g);
    } else {
      families.set(g.signature, [g]);
    }
  }
  let family = 0;
  for (const list of families.values()) {
    if (list.length < 2) {
      continue;
    }
    for (const g of list) {
      g.repeatCount = list.length;
      g.repeatFamily = family;
    }
    family++;
  }
}

/** Groups whose path ends a chain of ancestors, top-down: what to expand to show a node. */
export function ancestorGroups(tree: ScopeTree, nodeId: string): string[] {
  const path = tree.groupOfNode.get(nodeId);
  return path ? pathChain(path) : [];
}

/** A group's depth for collapsing: bands do not count, they are always open. */
function openDepth(tree: ScopeTree, group: ScopeGroup): number {
  return tree.banded ? Math.max(0, group.depth - 1) : group.depth;
}

/** Whether a group is a run of repeats or inside one: shown once, closed, until opened by hand. */
function inRun(tree: ScopeTree, group: ScopeGroup): boolean {
  let g: ScopeGroup | undefined = group;
  while (g !== undefined) {
    if (g.kind === 'run') {
      return true;
    }
    g = g.parent === null ? undefined : tree.groups.get(g.parent);
  }
  return false;
}

function parentGroup(tree: ScopeTree, g: ScopeGroup): ScopeGroup {
  return tree.groups.get(g.parent ?? ROOT_PATH) as ScopeGroup;
}

/**
 * The number of items visible when every group of depth <= d is expanded:
 * nodes at depth <= d plus the (collapsed) groups at depth d + 1; a run of
 * repeats stays one closed box at any depth.
 */
export function visibleCountAtDepth(tree: ScopeTree, d: number): number {
  let count = 0;
  for (const g of tree.groups.values()) {
    const depth = openDepth(tree, g);
    if (inRun(tree, g)) {
      const outermost = g.kind === 'run' && !inRun(tree, parentGroup(tree, g));
      count += outermost && depth <= d + 1 ? 1 : 0;
    } else if (depth <= d) {
      count += g.childNodes.length;
    } else if (depth === d + 1) {
      count += 1;
    }
  }
  return count;
}

/** The deepest expansion depth whose visible item count stays within `limit` (at least 0). */
export function autoCollapseDepth(tree: ScopeTree, limit = 200): number {
  let best = 0;
  for (let d = 0; d <= tree.maxDepth; d++) {
    if (visibleCountAtDepth(tree, d) <= limit) {
      best = d;
    } else {
      break;
    }
  }
  return best;
}

/** Paths of all groups with depth in 1..d (and the bands; no run of repeats): the expanded set for a collapse depth. */
export function expandedAtDepth(tree: ScopeTree, d: number): Set<string> {
  const out = new Set<string>();
  for (const g of tree.groups.values()) {
    if (
      g.path !== ROOT_PATH &&
      !inRun(tree, g) &&
      (g.kind === 'band' || openDepth(tree, g) <= d)
    ) {
      out.add(g.path);
    }
  }
  return out;
}
