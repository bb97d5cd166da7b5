/** Edge labels: kept clear of nodes and of each other. */
import { labelsThatFit } from '../src/layout/edgeLabels';
import type { NodePosition } from '../src/layout/messages';

function node(id: string, x: number, y: number, width = 100): NodePosition {
  return {
    id,
    x,
    y,
    width,
    height: 40,
    ports: [
      { id: 'out', x: width, y: 20 },
      { id: 'in0', x: 0, y: 20 },
      { id: 'in1', x: 0, y: 30 }
    ]
  };
}

const edge = (id: string, source: string, target: string, port = 0) => ({
  id,
  source,
  target,
  targetPort: port,
  label: '(64, 64) float32'
});

describe('labelsThatFit', () => {
  it('keeps a label with room between its nodes', () => {
    const boxes = new Map([
      ['a', node('a', 0, 0)],
      ['b', node('b', 300, 0)]
    ]);
    expect(labelsThatFit([edge('e', 'a', 'b')], boxes)).toEqual(new Set(['e']));
  });

  it('drops a label whose middle falls on a node', () => {
    // a → c passes over b, which sits right at the edge's middle.
    const boxes = new Map([
      ['a', node('a', 0, 0)],
      ['b', node('b', 250, 0)],
      ['c', node('c', 500, 0)]
    ]);
    expect(labelsThatFit([edge('e', 'a', 'c')], boxes).size).toBe(0);
  });

  it('drops the second of two labels drawn at the same place', () => {
    const boxes = new Map([
      ['a', node('a', 0, 0)],
      ['b', node('b', 300, 0)]
    ]);
    const kept = labelsThatFit(
      [edge('e0', 'a', 'b', 0), edge('e1', 'a', 'b', 1)],
      boxes
    );
    expect([...kept]).toEqual(['e0']);
  });
});
