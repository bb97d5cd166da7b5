import { EditorKernel, type EditorChannel } from '../../src/editor/kernel';

/** A channel whose kernel answers with whatever the test says. */
class FakeChannel implements EditorChannel {
  sent: Record<string, unknown>[] = [];
  private listener: ((c: unknown, b: ArrayBuffer[]) => void) | null = null;
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
  answer(content: unknown, buffers: ArrayBuffer[] = []): void {
    this.listener?.(content, buffers);
  }
}

describe('editor kernel requests', () => {
  it('numbers requests and resolves each with its own reply', async () => {
    const ch = new FakeChannel();
    const k = new EditorKernel(ch);
    const a = k.probe('n1', 0);
    const b = k.command(3, [{ cmd: 'rename', node: 'n1', name: 'x' }]);
    expect(ch.sent.map(s => [s.kind, s.request_id])).toEqual([
      ['editor_probe', 1],
      ['editor_command', 2]
    ]);
    expect(ch.sent[1].base_version).toBe(3);
    // a reply of another kind with the same id is not the answer
    ch.answer({
      kind: 'editor_run_reply',
      request_id: 2,
      version: 9,
      executed: []
    });
    ch.answer({
      kind: 'editor_command_reply',
      request_id: 2,
      version: 4,
      inverse: [],
      redo: [],
      created: { nodes: [], edges: [], groups: [] }
    });
    ch.answer({
      kind: 'editor_probe_reply',
      request_id: 1,
      targets: [{ node: 'n2', port: 0, ok: true, reason: null }]
    });
    await expect(b).resolves.toEqual({ version: 4, inverse: [], redo: [] });
    await expect(a).resolves.toEqual([
      { node: 'n2', port: 0, ok: true, reason: null }
    ]);
  });

  it('rejects with the kernel message of an ErrorReply, and on close', async () => {
    const ch = new FakeChannel();
    const k = new EditorKernel(ch);
    const load = k.load('{"nodes": [}', null);
    expect(ch.sent[0]).toMatchObject({
      kind: 'editor_load',
      has_arrays: false
    });
    ch.answer({
      kind: 'error',
      request_id: 1,
      error: '$.nodes[3]: unknown op'
    });
    await expect(load).rejects.toThrow('$.nodes[3]: unknown op');
    const run = k.run({ x: { random: true } }, null);
    k.dispose();
    await expect(run).rejects.toThrow('the editor was closed');
  });

  it('hands back the sidecar bytes of a save', async () => {
    const ch = new FakeChannel();
    const k = new EditorKernel(ch);
    const saved = k.save();
    ch.answer(
      {
        kind: 'editor_save_reply',
        request_id: 1,
        version: 2,
        text: '{}',
        has_arrays: true
      },
      [new Uint8Array([1, 2, 3]).buffer]
    );
    const { text, arrays } = await saved;
    expect(text).toBe('{}');
    expect(Array.from(new Uint8Array(arrays!))).toEqual([1, 2, 3]);
  });
});
