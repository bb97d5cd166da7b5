/** ELK itself, in node: the translation to ELK's graph and a real layered layout. */
import ELK from 'elkjs/lib/elk.bundled.js';
import { ElkLike, runElkLayout, toElkGraph } from '../src/layout/elkGraph';
import { layoutInputFromModel } from '../src/layout/fromModel';
import { LayoutResult, NodePosition } from '../src/layout/messages';
import { buildGraphModel } from '../src/model/graphModel';
import { smallGraph } from './fixtures';

const elk = new ELK() as unknown as ElkLike;
const input = () => layoutInputFromModel(buildGraphModel(smallGraph()));

function byId(r: LayoutResult): Map<string, NodePosition> {
  return new Map(r.nodes.map(n => [n.id, n]));
}

function port(n: NodePosition, id: string) {
  const p = n.ports.find(q => q.id === id);
  if (!p) {
    throw new Error(`no port ${id} on ${n.id}`);
  }
  return p;
}

describe('ELK graph', () => {
  it('gives every node its ordered input ports and one output port', () => {
    const g = toElkGraph(input(), { direction: 'RIGHT' });
    const mm = g.children?.find(c => c.id === 'mm');
    expect(mm?.ports?.map(p => p.id)).toEqual([
      'mm::in0',
      'mm::in1',
      'mm::out'
    ]);
    expect(mm?.layoutOptions?.['elk.portConstraints']).toBe('FIXED_ORDER');
    expect(g.edges?.find(e => e.id === 'e2')).toMatchObject({
      sources: ['W::out'],
      targets: ['mm::in1']
    });
  });
});

describe('ELK layered layout in node', () => {
  it.each(['RIGHT', 'DOWN'] as const)(
    'places every node (%s)',
    async direction => {
      const result = await runElkLayout(elk, input(), { direction });
      const pos = byId(result);
      expect([...pos.keys()].sort()).toEqual([
        'W',
        'add',
        'b',
        'loss',
        'mm',
        'relu',
        'x'
      ]);
      for (const n of result.nodes) {
        expect(Number.isFinite(n.x) && Number.isFinite(n.y)).toBe(true);
        expect(n.width).toBeGreaterThan(0);
      }
      expect(result.width).toBeGreaterThan(0);
      // Layers follow the direction: each edge goes forward.
      const along = (n: NodePosition) => (direction === 'RIGHT' ? n.x : n.y);
      for (const [s, t] of [
        ['x', 'mm'],
        ['mm', 'add'],
        ['add', 'relu'],
        ['relu', 'loss']
      ]) {
        expect(along(pos.get(s)!)).toBeLessThan(along(pos.get(t)!));
      }
    }
  );

  it('keeps input ports in target_port order', async () => {
    const right = byId(
      await runElkLayout(elk, input(), { direction: 'RIGHT' })
    );
    const mmR = right.get('mm')!;
    expect(port(mmR, 'in0').y).toBeLessThan(port(mmR, 'in1').y);
    expect(port(mmR, 'in0').x).toBeLessThan(port(mmR, 'out').x);

    const down = byId(await runElkLayout(elk, input(), { direction: 'DOWN' }));
    const mmD = down.get('mm')!;
    expect(port(mmD, 'in0').x).toBeLessThan(port(mmD, 'in1').x);
    expect(port(mmD, 'in0').y).toBeLessThan(port(mmD, 'out').y);
  });

  it('lays out an empty graph without calling ELK', async () => {
    const fail: ElkLike = {
      layout: () => Promise.reject(new Error('should not run'))
    };
    await expect(
      runElkLayout(fail, { nodes: [], edges: [] }, { direction: 'RIGHT' })
    ).resolves.toEqual({ nodes: [], frames: [], width: 0, height: 0 });
  });
});
