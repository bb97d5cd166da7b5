import {
  decodeInspectReply,
  formatStat,
  InspectTracker
} from '../src/model/inspect';
import { bundleModelId, readBundle } from '../src/mimeBundle';
import { smallGraph } from './fixtures';
import type { TensorSummary } from '../src/protocol';

function summary(extra: Partial<TensorSummary> = {}): TensorSummary {
  return {
    shape: [2, 2],
    dtype: 'float32',
    numel: 4,
    min: 1,
    max: 4,
    mean: 2.5,
    std: 1.118,
    nan_count: 0,
    inf_count: 0,
    histogram: { lo: 1, hi: 4, bins: 3, buffer: 0 },
    heatmap: {
      rows: 2,
      cols: 2,
      lo: 1,
      hi: 4,
      kind: 'matrix',
      source_shape: [2, 2],
      buffer: 1
    },
    preview: '[[1, 2], [3, 4]]',
    ...extra
  };
}

describe('inspector replies', () => {
  it('decode histogram (float64) and heatmap (float32) buffers', () => {
    const counts = new Float64Array([1, 2, 1]);
    const heat = new Float32Array([1, 2, 3, 4]);
    // A DataView at an odd offset, as a comm may deliver it.
    const padded = new Uint8Array(heat.byteLength + 3);
    padded.set(new Uint8Array(heat.buffer), 3);
    const reply = decodeInspectReply(
      {
        kind: 'inspect_reply',
        request_id: 7,
        node_id: 'n1',
        value: summary(),
        grad: null,
        error: null
      },
      [
        new DataView(counts.buffer),
        new DataView(padded.buffer, 3, heat.byteLength)
      ]
    )!;
    expect(reply.requestId).toBe(7);
    expect(Array.from(reply.value!.histogram!)).toEqual([1, 2, 1]);
    expect(Array.from(reply.value!.heatmap!)).toEqual([1, 2, 3, 4]);
    expect(reply.grad).toBeNull();
  });

  it('accept plain ArrayBuffers and tolerate missing buffers', () => {
    const reply = decodeInspectReply(
      {
        kind: 'inspect_reply',
        request_id: 1,
        node_id: 'n',
        value: null,
        grad: summary({ heatmap: null }),
        error: null
      },
      [new Float64Array([5, 6, 7]).buffer]
    )!;
    expect(Array.from(reply.grad!.histogram!)).toEqual([5, 6, 7]);
    expect(reply.grad!.heatmap).toBeNull();
    const none = decodeInspectReply(
      {
        kind: 'inspect_reply',
        request_id: 2,
        node_id: 'n',
        value: summary(),
        grad: null,
        error: null
      },
      undefined
    )!;
    expect(none.value!.histogram).toBeNull();
  });

  it('ignore other messages', () => {
    expect(decodeInspectReply({ kind: 'other' }, [])).toBeNull();
    expect(decodeInspectReply(null, [])).toBeNull();
  });

  it('are correlated by request id; older ones are stale', () => {
    const t = new InspectTracker();
    const r1 = t.request('a');
    const r2 = t.request('b');
    expect(r1).toEqual({ kind: 'inspect', request_id: 1, node_id: 'a' });
    expect(t.isCurrent({ requestId: r1.request_id })).toBe(false);
    expect(t.isCurrent({ requestId: r2.request_id })).toBe(true);
  });

  it('format statistics', () => {
    expect(formatStat(null)).toBe('—');
    expect(formatStat(2.5)).toBe('2.5');
    expect(formatStat(4)).toBe('4');
    expect(formatStat(1.23456789e-7)).toBe('1.235e-7');
  });
});

describe('graph mime bundles', () => {
  it('read a GraphMimeBundle and a bare payload; reject junk', () => {
    const g = smallGraph();
    expect(
      readBundle({ version: '1.0', graph: g, compare: null, model_id: 'abc' })
    ).toEqual({
      version: '1.0',
      graph: g,
      compare: null,
      model_id: 'abc',
      title: ''
    });
    // The viewer's own heading (vf.show's title= over a comparison) comes along.
    expect(
      readBundle({
        version: '1.0',
        graph: g,
        compare: g,
        model_id: null,
        title: 'before / after'
      })?.title
    ).toBe('before / after');
    expect(readBundle(g)?.model_id).toBeNull();
    expect(readBundle({ graph: 3 })).toBeNull();
    expect(readBundle('x')).toBeNull();
  });

  it('name the live model of a bundle without decoding its graph', () => {
    // The renderer binds to a live model by this id; its graph is not read then.
    expect(bundleModelId({ version: '1.0', graph: 3, model_id: 'abc' })).toBe(
      'abc'
    );
    expect(bundleModelId({ graph: smallGraph(), model_id: null })).toBeNull();
    expect(bundleModelId({ model_id: '' })).toBeNull();
    expect(bundleModelId('x')).toBeNull();
  });
});
