import {
  copyFragment,
  fragmentFromText,
  fragmentToText,
  pasteCommand,
  pastePlace,
  PASTE_OFFSET,
  type Fragment
} from '../../src/editor/model/clipboard';
import { DocIndex, type EditorDocument } from '../../src/editor/model/document';
import { opNode } from './fakeKernel';

/** x → [block: dense (matmul → add) → act (relu)] → loss, block nested groups. */
function doc(): EditorDocument {
  const at = (id: string, op: string, group: string | null, x: number) => ({
    ...opNode(id, op, id),
    group,
    position: { x, y: 10 }
  });
  return {
    version: 3,
    name: 'model',
    outputs: [],
    updates: [],
    nodes: [
      at('x', 'placeholder', null, 0),
      at('mm', 'matmul', 'dense', 100),
      at('b', 'add', 'dense', 200),
      at('r', 'relu', 'block', 300),
      at('loss', 'mean', null, 400)
    ],
    edges: [
      { id: 'e1', source: 'x', source_port: 0, target: 'mm', target_port: 0 },
      { id: 'e2', source: 'mm', source_port: 0, target: 'b', target_port: 0 },
      { id: 'e3', source: 'b', source_port: 0, target: 'r', target_port: 0 },
      { id: 'e4', source: 'r', source_port: 0, target: 'loss', target_port: 0 }
    ],
    groups: [
      {
        id: 'block',
        name: 'block',
        type: 'Sequential',
        parent: null,
        collapsed: false
      },
      {
        id: 'dense',
        name: 'dense',
        type: 'Linear',
        parent: 'block',
        collapsed: true
      }
    ]
  };
}

describe('editor clipboard', () => {
  it('copies a group with its nested groups and inner links, dropping links to outside', () => {
    const f = copyFragment(new DocIndex(doc()), [], ['block'])!;
    expect(f.nodes.map(n => n.id)).toEqual(['mm', 'b', 'r']);
    expect(f.edges.map(e => `${e.source}->${e.target}`)).toEqual([
      'mm->b',
      'b->r'
    ]);
    expect(f.groups).toEqual([
      { id: 'block', name: 'block', type: 'Sequential', parent: null },
      { id: 'dense', name: 'dense', type: 'Linear', parent: 'block' }
    ]);
    expect(f.nodes.find(n => n.id === 'mm')!.group).toBe('dense');
  });

  it('copies loose nodes without the groups they sit in', () => {
    const f = copyFragment(new DocIndex(doc()), ['b', 'r', 'missing'])!;
    expect(f.nodes.map(n => [n.id, n.group])).toEqual([
      ['b', null],
      ['r', null]
    ]);
    expect(f.edges).toHaveLength(1);
    expect(f.groups).toEqual([]);
    expect(copyFragment(new DocIndex(doc()), [])).toBeNull();
  });

  it('pastes offset from the copy, or with its corner at a point', () => {
    const f = copyFragment(new DocIndex(doc()), ['mm', 'b'])!;
    const shifted = pasteCommand(f);
    expect(shifted.fragment).toBe(f);
    expect(shifted.offset).toEqual({ x: PASTE_OFFSET, y: PASTE_OFFSET });
    // the fragment's top-left node (mm at 100, 10) lands on the point
    expect(pasteCommand(f, { x: 0, y: 0 }).offset).toEqual({ x: -100, y: -10 });
    // the copy itself is untouched
    expect(f.nodes[0].position).toEqual({ x: 100, y: 10 });
  });

  it('pastes a group at the pointer with its layout and inner links kept', () => {
    const f = copyFragment(new DocIndex(doc()), [], ['block'])!;
    const cmd = pasteCommand(f, { x: 1000.4, y: -250.6 });
    const pasted = cmd.fragment as Fragment;
    const placed = pasted.nodes.map(n => ({
      id: n.id,
      x: n.position.x + cmd.offset!.x,
      y: n.position.y + cmd.offset!.y
    }));
    // the copied set's top-left (mm at 100, 10) lands on the pointer, on whole pixels
    expect(placed).toEqual([
      { id: 'mm', x: 1000, y: -251 },
      { id: 'b', x: 1100, y: -251 },
      { id: 'r', x: 1200, y: -251 }
    ]);
    expect(pasted.edges.map(e => `${e.source}>${e.target}`)).toEqual([
      'mm>b',
      'b>r'
    ]);
  });

  it('pastes at the right-clicked spot, else the pointer, else offset', () => {
    const menu = { x: 5, y: 6 };
    const pointer = { x: 70, y: 80 };
    expect(pastePlace(menu, pointer)).toBe(menu);
    expect(pastePlace(null, pointer)).toBe(pointer);
    expect(pastePlace(null, null)).toBeUndefined();
    const f = copyFragment(new DocIndex(doc()), ['b'])!;
    expect(pasteCommand(f, pastePlace(null, null)).offset).toEqual({
      x: PASTE_OFFSET,
      y: PASTE_OFFSET
    });
  });

  it('round-trips through clipboard text and refuses anything else', () => {
    const f = copyFragment(new DocIndex(doc()), [], ['dense'])!;
    expect(fragmentFromText(fragmentToText(f))).toEqual(f);
    expect(fragmentFromText('hello')).toBeNull();
    expect(fragmentFromText('{"nodes": []}')).toBeNull();
    const text = fragmentToText(f);
    const bad = JSON.parse(text);
    bad['vizflow-editor-fragment/1'].nodes[0].kind = 'module';
    expect(fragmentFromText(JSON.stringify(bad))).toBeNull();
    // a link to a node not in the fragment is dropped
    const dangling = JSON.parse(text);
    dangling['vizflow-editor-fragment/1'].edges.push({
      source: 'mm',
      source_port: 0,
      target: 'elsewhere',
      target_port: 0
    });
    expect(fragmentFromText(JSON.stringify(dangling))!.edges).toHaveLength(1);
  });

  it('carries an array-valued param as the kernel reference, through text and paste', () => {
    const d = doc();
    const index = [{ array: 'param~0b825c0b31d4b507ea48763d' }];
    d.nodes[1] = { ...d.nodes[1], op: 'getitem', params: { index } };
    const f = copyFragment(new DocIndex(d), ['mm'])!;
    const back = fragmentFromText(fragmentToText(f))!;
    expect(back.nodes[0].params).toEqual({ index });
    const pasted = pasteCommand(back).fragment.nodes[0] as { params: unknown };
    expect(pasted.params).toEqual({ index });
  });

  it("carries a held constant's content key, not only its id, through text and paste", () => {
    const d = doc();
    const array = 'array~5f1d0c9e2b7a4c3d8e6f1a2b';
    d.nodes[0] = {
      ...d.nodes[0],
      kind: 'constant',
      op: null,
      params: {},
      array
    };
    const f = copyFragment(new DocIndex(d), ['x', 'mm'])!;
    const back = fragmentFromText(fragmentToText(f))!;
    expect(back.nodes[0].array).toBe(array);
    expect('array' in back.nodes[1]).toBe(false); // an op node holds no array
    expect(pasteCommand(back).fragment.nodes[0]).toMatchObject({
      array,
      id: 'x'
    });
    // a key that is not text makes the clipboard text no fragment
    const bad = JSON.parse(fragmentToText(f));
    bad['vizflow-editor-fragment/1'].nodes[0].array = 7;
    expect(fragmentFromText(JSON.stringify(bad))).toBeNull();
  });

  it("carries an initialised variable's initialiser and the key of its trained values", () => {
    const d = doc();
    const spec = {
      shape: [4, 8],
      dtype: 'float32',
      init: 'xavier_uniform',
      requires_grad: true
    };
    const array = 'array~0c1d2e3f4a5b6c7d8e9f0a1b';
    const variable = (
      id: string,
      held?: string
    ): EditorDocument['nodes'][0] => ({
      ...d.nodes[0],
      id,
      name: id,
      kind: 'variable',
      op: null,
      params: { ...spec },
      ...(held === undefined ? {} : { array: held })
    });
    // w ran (the kernel names its values), v never did (the paste initialises it)
    d.nodes = [variable('w', array), variable('v'), ...d.nodes.slice(1)];
    const f = copyFragment(new DocIndex(d), ['w', 'v'])!;
    const pasted = pasteCommand(fragmentFromText(fragmentToText(f))!, {
      x: 0,
      y: 0
    }).fragment as Fragment;
    expect(pasted.nodes).toMatchObject([
      { id: 'w', kind: 'variable', params: spec, array },
      { id: 'v', kind: 'variable', params: spec }
    ]);
    expect('array' in pasted.nodes[1]).toBe(false);
  });
});
