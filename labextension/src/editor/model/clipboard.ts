/**
 * Copy and paste. A copy is a fragment: the selected nodes, the links among
 * them (links to nodes left outside are dropped, there is nothing to connect them
 * to), and the groups wholly selected with their nesting. Ids inside a fragment
 * are its own; the kernel gives pasted items fresh ids. A fragment travels as
 * JSON text with a marker, so it pastes into another editor too; parsing checks
 * every field and never evaluates anything. An array-valued param (a getitem's
 * index array) is copied as the kernel's reference to it ({"array": key}, as
 * the document shows it): the array stays in the kernel, which gives each
 * pasted node its own copy. So does a variable or constant holding an array:
 * its `array` is the key of that array's content in the kernel, and the paste
 * copies that content (never the values of a node that has the copied id).
 */
import type { DocIndex, NodeKind, Point } from './document';
import type { CommandOf } from './commands';

export const CLIPBOARD_MARKER = 'vizflow-editor-fragment/1';

/** Pasting at the copy's own place puts it this far down and right. */
export const PASTE_OFFSET = 40;

export interface FragmentNode {
  id: string;
  kind: NodeKind;
  op: string | null;
  name: string;
  params: Record<string, unknown>;
  position: Point;
  group: string | null;
  /** A held variable's or constant's content key in the kernel's store. */
  array?: string;
}

export interface FragmentEdge {
  source: string;
  source_port: number;
  target: string;
  target_port: number;
}

export interface FragmentGroup {
  id: string;
  name: string;
  type: string;
  parent: string | null;
}

export interface Fragment {
  nodes: FragmentNode[];
  edges: FragmentEdge[];
  groups: FragmentGroup[];
}

/**
 * The fragment of a selection: `nodes` and `groups` selected (a selected group
 * brings all it holds). Null when nothing is selected.
 */
export function copyFragment(
  index: DocIndex,
  nodes: Iterable<string>,
  groups: Iterable<string> = []
): Fragment | null {
  const groupIds = new Set<string>();
  for (const g of groups) {
    if (index.groups.has(g)) {
      for (const d of index.descendantGroups(g)) {
        groupIds.add(d);
      }
    }
  }
  const nodeIds = new Set<string>();
  for (const n of nodes) {
    if (index.nodes.has(n)) {
      nodeIds.add(n);
    }
  }
  for (const g of groupIds) {
    for (const n of index.memberNodes.get(g) ?? []) {
      nodeIds.add(n);
    }
  }
  if (nodeIds.size === 0) {
    return null;
  }
  const inside = (g: string | null): string | null =>
    g !== null && groupIds.has(g) ? g : null;
  const fragment: Fragment = { nodes: [], edges: [], groups: [] };
  for (const n of index.doc.nodes) {
    if (nodeIds.has(n.id)) {
      fragment.nodes.push({
        id: n.id,
        kind: n.kind,
        op: n.op,
        name: n.name,
        params: { ...n.params },
        position: { ...n.position },
        group: inside(n.group),
        ...(n.array === undefined ? {} : { array: n.array })
      });
    }
  }
  for (const e of index.doc.edges) {
    if (nodeIds.has(e.source) && nodeIds.has(e.target)) {
      fragment.edges.push({
        source: e.source,
        source_port: e.source_port,
        target: e.target,
        target_port: e.target_port
      });
    }
  }
  for (const g of index.doc.groups) {
    if (groupIds.has(g.id)) {
      fragment.groups.push({
        id: g.id,
        name: g.name,
        type: g.type,
        parent: inside(g.parent)
      });
    }
  }
  return fragment;
}

/** The top-left corner of a fragment's nodes. */
export function fragmentOrigin(fragment: Fragment): Point {
  let x = Infinity;
  let y = Infinity;
  for (const n of fragment.nodes) {
    x = Math.min(x, n.position.x);
    y = Math.min(y, n.position.y);
  }
  return Number.isFinite(x) ? { x, y } : { x: 0, y: 0 };
}

/**
 * The paste command: at `at` (the fragment's top-left goes there, on whole canvas
 * pixels, the nodes keeping their places relative to it), else offset from the copy.
 */
export function pasteCommand(
  fragment: Fragment,
  at?: Point
): CommandOf<'paste'> {
  const origin = fragmentOrigin(fragment);
  const offset = at
    ? { x: Math.round(at.x - origin.x), y: Math.round(at.y - origin.y) }
    : { x: PASTE_OFFSET, y: PASTE_OFFSET };
  return { cmd: 'paste', fragment, offset };
}

/**
 * Where a paste goes, in canvas coordinates: the spot right-clicked for the
 * context menu's Paste, else the pointer when it is over the canvas (Ctrl+V),
 * else nowhere in particular (undefined: the copy's place, offset).
 */
export function pastePlace(
  menuAt: Point | null,
  pointerAt: Point | null
): Point | undefined {
  return menuAt ?? pointerAt ?? undefined;
}

/** The text put on the system clipboard. */
export function fragmentToText(fragment: Fragment): string {
  return JSON.stringify({ [CLIPBOARD_MARKER]: fragment });
}

/** A fragment read back from clipboard text; null when the text is not one. */
export function fragmentFromText(text: string): Fragment | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(data)) {
    return null;
  }
  const f = data[CLIPBOARD_MARKER];
  if (
    !isRecord(f) ||
    !Array.isArray(f.nodes) ||
    !Array.isArray(f.edges) ||
    !Array.isArray(f.groups)
  ) {
    return null;
  }
  const nodes = f.nodes.filter(isFragmentNode);
  const ids = new Set(nodes.map(n => n.id));
  const groups = f.groups.filter(isFragmentGroup);
  if (
    nodes.length === 0 ||
    nodes.length !== f.nodes.length ||
    groups.length !== f.groups.length
  ) {
    return null;
  }
  const edges = f.edges
    .filter(isFragmentEdge)
    .filter(e => ids.has(e.source) && ids.has(e.target));
  return { nodes, edges, groups };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const KINDS: ReadonlySet<string> = new Set([
  'op',
  'placeholder',
  'variable',
  'constant'
]);

function isPoint(v: unknown): v is Point {
  return (
    isRecord(v) &&
    Number.isFinite(v.x as number) &&
    Number.isFinite(v.y as number)
  );
}

function isFragmentNode(v: unknown): v is FragmentNode {
  return (
    isRecord(v) &&
    typeof v.id === 'string' &&
    typeof v.kind === 'string' &&
    KINDS.has(v.kind) &&
    (v.op === null || typeof v.op === 'string') &&
    typeof v.name === 'string' &&
    isRecord(v.params) &&
    isPoint(v.position) &&
    (v.group === null || typeof v.group === 'string') &&
    (v.array === undefined || typeof v.array === 'string')
  );
}

function isFragmentEdge(v: unknown): v is FragmentEdge {
  return (
    isRecord(v) &&
    typeof v.source === 'string' &&
    typeof v.target === 'string' &&
    Number.isInteger(v.source_port) &&
    Number.isInteger(v.target_port)
  );
}

function isFragmentGroup(v: unknown): v is FragmentGroup {
  return (
    isRecord(v) &&
    typeof v.id === 'string' &&
    typeof v.name === 'string' &&
    typeof v.type === 'string' &&
    (v.parent === null || typeof v.parent === 'string')
  );
}
