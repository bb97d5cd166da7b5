/**
 * A small stand-in for the kernel's command handler (tests only): applies
 * commands to a document all or none, bumps the version and answers the exact
 * inverse, as the real kernel does, so the session's history can be checked.
 */
import { setParam, type EditorCommand } from '../../src/editor/model/commands';
import type {
  EditorDocument,
  EditorEdge,
  EditorNode
} from '../../src/editor/model/document';
import type {
  CommandReply,
  EditorTransport
} from '../../src/editor/model/session';

export function opNode(id: string, op: string, name = ''): EditorNode {
  return {
    id,
    name,
    kind: 'op',
    op,
    params: {},
    group: null,
    position: { x: 0, y: 0 },
    inputs: [],
    outputs: [{ port: 0, shape: null, dtype: null }],
    state: 'valid',
    error: null,
    value: null
  };
}

export class FakeKernel implements EditorTransport {
  doc: EditorDocument = {
    version: 0,
    name: '',
    nodes: [],
    edges: [],
    groups: [],
    outputs: [],
    updates: []
  };
  sent: EditorCommand[][] = [];
  private nextId = 1;
  onDocument: (doc: EditorDocument) => void = () => undefined;

  async command(
    baseVersion: number,
    commands: EditorCommand[]
  ): Promise<CommandReply> {
    this.sent.push(commands);
    if (baseVersion !== this.doc.version) {
      throw new Error(
        `stale base version ${baseVersion} (now ${this.doc.version})`
      );
    }
    const next: EditorDocument = structuredClone(this.doc);
    const inverse: EditorCommand[] = [];
    const redo: EditorCommand[] = [];
    for (const c of commands) {
      inverse.unshift(...this.applyOne(next, c));
      redo.push(
        c.cmd === 'add_node'
          ? { ...c, id: next.nodes[next.nodes.length - 1].id }
          : c
      );
    }
    next.version += 1;
    this.doc = next;
    this.onDocument(next);
    return { version: next.version, inverse, redo };
  }

  private applyOne(doc: EditorDocument, c: EditorCommand): EditorCommand[] {
    const node = (id: string): EditorNode => {
      const n = doc.nodes.find(x => x.id === id);
      if (!n) {
        throw new Error(`no node ${id}`);
      }
      return n;
    };
    switch (c.cmd) {
      case 'add_node': {
        const id = c.id ?? `n${this.nextId++}`;
        doc.nodes.push({
          ...opNode(id, c.op ?? c.kind, c.name ?? ''),
          params: c.params ?? {}
        });
        return [{ cmd: 'delete', nodes: [id] }];
      }
      case 'set_param': {
        const n = node(c.node);
        if (typeof c.value !== 'number' && c.value !== undefined) {
          throw new Error(`${c.param} must be a number`);
        }
        const old = n.params[c.param];
        if (c.value === undefined) {
          delete n.params[c.param];
        } else {
          n.params[c.param] = c.value;
        }
        return [setParam(c.node, c.param, old)];
      }
      case 'rename': {
        const n = node(c.node);
        const old = n.name;
        n.name = c.name;
        return [{ cmd: 'rename', node: c.node, name: old }];
      }
      case 'connect': {
        node(c.source);
        node(c.target);
        const id = `e${this.nextId++}`;
        doc.edges.push({
          id,
          source: c.source,
          source_port: c.source_port,
          target: c.target,
          target_port: c.target_port
        });
        return [{ cmd: 'disconnect', edge: id }];
      }
      case 'disconnect': {
        const e = doc.edges.find(x => x.id === c.edge);
        if (!e) {
          throw new Error(`no edge ${c.edge}`);
        }
        doc.edges = doc.edges.filter(x => x !== e);
        return [
          {
            cmd: 'connect',
            source: e.source,
            source_port: e.source_port,
            target: e.target,
            target_port: e.target_port
          }
        ];
      }
      case 'delete': {
        const gone = new Set(c.nodes);
        const nodes = doc.nodes.filter(n => gone.has(n.id));
        const edges = doc.edges.filter(
          e => gone.has(e.source) || gone.has(e.target)
        );
        doc.nodes = doc.nodes.filter(n => !gone.has(n.id));
        doc.edges = doc.edges.filter(e => !edges.includes(e));
        return [
          {
            cmd: 'paste',
            fragment: { nodes, edges, groups: [] },
            keep_ids: true
          }
        ];
      }
      case 'paste': {
        if (!c.keep_ids) {
          throw new Error('the fake kernel only restores deleted nodes');
        }
        const f = c.fragment as unknown as {
          nodes: EditorNode[];
          edges: EditorEdge[];
        };
        doc.nodes.push(...f.nodes);
        doc.edges.push(...f.edges);
        return [{ cmd: 'delete', nodes: f.nodes.map(n => n.id) }];
      }
      default:
        throw new Error(`the fake kernel does not do ${c.cmd}`);
    }
  }
}
