/**
 * A compact graph that does not decode as it claims is refused before
 * decoding: a saved notebook's output is whatever the file says.
 */
import type { CompactGraph, GraphPayload } from '../src/protocol';
import { decodeCompactGraph, expandGraph } from '../src/model/compact';
import { compactGraphProblem } from '../src/model/compactCheck';
import { readBundle } from '../src/mimeBundle';
import sample from './fixtures/compact.json';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function fresh(): Json {
  return JSON.parse(JSON.stringify(sample.compact)) as Json;
}

/** The cases of tests/kernelext/test_widget_messages.py, and a few the schema catches there. */
const SPOILED: [string, (g: Json) => void, string][] = [
  ['a string index', g => (g.nodes.op[0] = g.strings.length), 'nodes/op/0'],
  ['a node reference', g => (g.edges.dst[0] = 99), 'edges/dst/0'],
  [
    'a string reference',
    g => g.outputs.push(-1 - g.strings.length),
    'outputs/'
  ],
  ['a short column', g => g.nodes.name.pop(), 'nodes/name'],
  ['a flagged node', g => (g.nodes.has_value = [50]), 'nodes/has_value/0'],
  ['a sparse key', g => (g.edges.shape = { '01': [1] }), 'edges/shape/01'],
  ['a source file', g => (g.nodes.source = { '0': [-2, 3] }), 'nodes/source/0'],
  ['a phase', g => (g.nodes.phase[0] = 0), 'nodes/phase/0'],
  ['a fractional index', g => (g.nodes.dtype[0] = 0.5), 'nodes/dtype/0'],
  ['a string for a count', g => (g.nodes.count = '3'), 'nodes/count'],
  ['a missing edge column', g => delete g.edges.port, 'edges/port']
];

describe('compactGraphProblem', () => {
  it('passes the encoder output', () => {
    expect(compactGraphProblem(sample.compact)).toBeNull();
    expect(expandGraph(sample.compact)).toEqual(sample.expanded);
  });

  it.each(SPOILED)('refuses %s', (_case, spoil, where) => {
    const g = fresh();
    spoil(g);
    expect(compactGraphProblem(g)).toContain(where);
    expect(expandGraph(g)).toBeNull();
    expect(readBundle({ version: '1.0', graph: g, compare: null })).toBeNull();
  });

  it('lets through only graphs that decode whole (2,000 seeded mutations)', () => {
    let seed = 12345;
    const rand = (k: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % k;
    };
    const atoms = [-1, 0, 1, 2, 5, 40, -40, 1.5, null, 'x', true, [], {}];
    let refused = 0;
    for (let trial = 0; trial < 2000; trial++) {
      const g = fresh();
      const parts = [g.nodes, g.edges, g];
      const part = parts[rand(parts.length)];
      const keys = Object.keys(part);
      const key = keys[rand(keys.length)];
      const value = part[key];
      if (Array.isArray(value) && value.length && rand(2)) {
        value[rand(value.length)] = atoms[rand(atoms.length)];
      } else if (rand(4) === 0) {
        delete part[key];
      } else {
        part[key] = atoms[rand(atoms.length)];
      }
      if (compactGraphProblem(g) !== null) {
        refused++;
        continue;
      }
      const p: GraphPayload = decodeCompactGraph(g as unknown as CompactGraph);
      for (const n of p.nodes) {
        for (const field of ['id', 'op', 'name', 'dtype', 'scope', 'phase']) {
          expect(typeof (n as unknown as Json)[field]).toBe('string');
        }
      }
      for (const e of p.edges) {
        expect(typeof e.source).toBe('string');
        expect(typeof e.target).toBe('string');
      }
    }
    expect(refused).toBeGreaterThan(1000);
  });
});
