import {
  applyPatch,
  type EditorDocument,
  type EditorDocumentPatch,
  type EditorEdge,
  type EditorGroup,
  type EditorNode
} from '../../src/editor/model/document';
import { EditorKernel, type EditorChannel } from '../../src/editor/kernel';
import { EditorSession } from '../../src/editor/model/session';
import { FakeKernel, opNode } from './fakeKernel';

/** A small seeded generator (mulberry32), so a failure repeats. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const byId = (a: { id: string }, b: { id: string }): number =>
  a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/**
 * The patch the kernel sends from `prev` to `next`: the changed and added (in `next`'s
 * order), the removed, and the order when dropping and appending does not give it.
 */
function diff(prev: EditorDocument, next: EditorDocument): EditorDocumentPatch {
  const part = <T extends { id: string }>(a: T[], b: T[]) => {
    const old = new Map(a.map(x => [x.id, JSON.stringify(x)]));
    const now = new Set(b.map(x => x.id));
    const given = b.filter(x => old.get(x.id) !== JSON.stringify(x));
    const removed = a.filter(x => !now.has(x.id)).map(x => x.id);
    const simple = [
      ...a.filter(x => now.has(x.id)).map(x => x.id),
      ...given.filter(x => !old.has(x.id)).map(x => x.id)
    ];
    const order = b.map(x => x.id);
    return {
      given,
      removed,
      order: simple.join('\u0000') === order.join('\u0000') ? null : order
    };
  };
  const nodes = part(prev.nodes, next.nodes);
  const edges = part(prev.edges, next.edges);
  const groups = part(prev.groups, next.groups);
  const patch: EditorDocumentPatch = {
    kind: 'editor_patch',
    base_version: prev.version,
    version: next.version,
    nodes: nodes.given,
    removed_nodes: nodes.removed,
    edges: edges.given,
    removed_edges: edges.removed,
    groups: groups.given,
    removed_groups: groups.removed
  };
  if (nodes.order) {
    patch.node_order = nodes.order;
  }
  if (groups.order) {
    patch.group_order = groups.order;
  }
  if (JSON.stringify(prev.outputs) !== JSON.stringify(next.outputs)) {
    patch.outputs = next.outputs;
  }
  return patch;
}

/** One random edit of a document, as the kernel might make it (edges kept in id order). */
function edit(
  doc: EditorDocument,
  rand: () => number,
  k: number
): EditorDocument {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  let nodes = [...doc.nodes];
  let edges = [...doc.edges];
  let groups = [...doc.groups];
  let outputs = doc.outputs;
  const what = pick([
    'add',
    'restore',
    'remove',
    'change',
    'wire',
    'cut',
    'group',
    'ungroup',
    'regroup',
    'outputs'
  ]);
  if (what === 'add' || (what === 'restore' && nodes.length)) {
    const n = opNode(`n${k}`, pick(['relu', 'tanh', 'matmul']), `v${k}`);
    const at =
      what === 'add' ? nodes.length : Math.floor(rand() * nodes.length);
    nodes.splice(at, 0, n);
  } else if (what === 'remove' && nodes.length) {
    const gone = pick(nodes).id;
    nodes = nodes.filter(n => n.id !== gone);
    edges = edges.filter(e => e.source !== gone && e.target !== gone);
  } else if (what === 'change' && nodes.length) {
    const i = Math.floor(rand() * nodes.length);
    nodes[i] = {
      ...nodes[i],
      state: pick(['valid', 'error', 'executed', 'stale'] as const),
      position: { x: k + 1, y: 2 * k + 1 }
    };
  } else if (what === 'wire' && nodes.length > 1) {
    const e: EditorEdge = {
      id: `e${Math.floor(rand() * 1000)}`,
      source: pick(nodes).id,
      source_port: 0,
      target: pick(nodes).id,
      target_port: 0
    };
    edges = [...edges.filter(x => x.id !== e.id), e].sort(byId);
  } else if (what === 'cut' && edges.length) {
    const gone = pick(edges).id;
    edges = edges.filter(e => e.id !== gone);
  } else if (what === 'group') {
    const g: EditorGroup = {
      id: `g${k}`,
      name: `blk${k}`,
      type: 'scope',
      parent: groups.length ? pick(groups).id : null,
      collapsed: rand() < 0.5
    };
    groups = [...groups, g];
  } else if (what === 'ungroup' && groups.length) {
    const gone = pick(groups).id;
    groups = groups.filter(g => g.id !== gone);
  } else if (what === 'regroup' && groups.length) {
    // removed and made again in one step: the same id moves to the end
    const g = pick(groups);
    groups = [
      ...groups.filter(x => x !== g),
      { ...g, collapsed: !g.collapsed }
    ];
  } else if (what === 'outputs' && nodes.length) {
    outputs = [pick(nodes).id];
  }
  outputs = outputs.filter(o => nodes.some(n => n.id === o));
  return { ...doc, version: doc.version + 1, nodes, edges, groups, outputs };
}

function start(): EditorDocument {
  const nodes: EditorNode[] = [];
  for (let i = 0; i < 6; i++) {
    nodes.push(opNode(`n${100 + i}`, 'relu', `r${i}`));
  }
  return {
    version: 3,
    name: 'graph',
    nodes,
    edges: [],
    groups: [],
    outputs: [],
    updates: []
  };
}

describe('editor document patches', () => {
  it('applied in sequence give the whole document, untouched objects the same', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rand = random(seed);
      const session = new EditorSession(new FakeKernel());
      let doc = start();
      session.setDocument(doc);
      const steps = 1 + Math.floor(rand() * 10);
      for (let k = 0; k < steps; k++) {
        const next = edit(doc, rand, k);
        const before = session.document;
        const patch = diff(doc, next);
        expect(session.applyPatch(patch)).toBe(true);
        const after = session.document;
        expect(after).toEqual(next);
        const named = new Set(patch.nodes.map(n => n.id));
        for (const n of after.nodes) {
          const old = before.nodes.find(x => x.id === n.id);
          if (old && !named.has(n.id)) {
            expect(n).toBe(old);
          }
        }
        doc = next;
      }
    }
  });

  it('keeps every array when nothing in it changed', () => {
    const doc = start();
    const patch = diff(doc, { ...doc, version: 4 });
    const next = applyPatch(doc, patch);
    expect(next.nodes).toBe(doc.nodes);
    expect(next.edges).toBe(doc.edges);
    expect(next.groups).toBe(doc.groups);
    expect(next.version).toBe(4);
  });

  it('refuses a patch that does not follow, ignores one already held', () => {
    const session = new EditorSession(new FakeKernel());
    const doc = start();
    session.setDocument(doc);
    const one = edit(doc, random(7), 1);
    const two = edit(one, random(8), 2);
    expect(session.applyPatch(diff(one, two))).toBe(false); // a gap: 4 -> 5 on 3
    expect(session.document).toBe(session.snapshot().index.doc);
    expect(session.document.version).toBe(3);
    expect(session.applyPatch(diff(doc, one))).toBe(true);
    expect(session.applyPatch(diff(one, two))).toBe(true);
    const held = session.document;
    expect(session.applyPatch(diff(doc, one))).toBe(true); // older: already held
    expect(session.document).toBe(held);
    // the widget's trait keeps the first document: giving it again changes nothing
    session.setDocument({ ...doc });
    expect(session.document).toBe(held);
  });

  it('a run (same version, new states) applies on the version it names', () => {
    const session = new EditorSession(new FakeKernel());
    const doc = start();
    session.setDocument(doc);
    const ran = {
      ...doc,
      nodes: doc.nodes.map(n => ({ ...n, state: 'executed' as const }))
    };
    expect(session.applyPatch(diff(doc, ran))).toBe(true);
    expect(session.document).toEqual(ran);
  });
});

describe('editor kernel patches and resync', () => {
  class Channel implements EditorChannel {
    sent: Record<string, unknown>[] = [];
    listener: ((c: unknown, b: ArrayBuffer[]) => void) | null = null;
    get(): unknown {
      return null;
    }
    onChange(): () => void {
      return () => undefined;
    }
    post(content: Record<string, unknown>): void {
      this.sent.push(content);
    }
    onCustom(listener: (c: unknown, b: ArrayBuffer[]) => void): () => void {
      this.listener = listener;
      return () => (this.listener = null);
    }
  }

  it('hands patches to their listeners and asks for the whole document', async () => {
    const ch = new Channel();
    const k = new EditorKernel(ch);
    const got: EditorDocumentPatch[] = [];
    const stop = k.onPatch(p => got.push(p));
    const doc = start();
    const patch = diff(doc, edit(doc, random(3), 1));
    ch.listener?.(patch, []);
    expect(got).toEqual([patch]);
    const asked = k.sync(3);
    expect(ch.sent).toEqual([
      { kind: 'editor_sync', request_id: 1, version: 3 }
    ]);
    ch.listener?.(patch, []); // a patch is not the reply
    ch.listener?.(
      { kind: 'editor_sync_reply', request_id: 1, version: 7, document: doc },
      []
    );
    await expect(asked).resolves.toBe(doc);
    stop();
    ch.listener?.(patch, []);
    expect(got).toHaveLength(2);
    k.dispose();
  });
});
