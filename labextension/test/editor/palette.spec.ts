import type { EditorParamSpec } from '../../src/protocol';
import {
  defaultParams,
  searchPalette,
  sections,
  type PaletteEntry
} from '../../src/editor/model/palette';

const entry = (
  key: string,
  category: string,
  formula = '',
  doc = ''
): PaletteEntry => ({
  key,
  label: key,
  category,
  formula,
  doc,
  kind: 'op',
  params: [],
  inputs: ['x']
});

/** A param spec (its default is any JSON value; the generated type reads it as an object). */
const param = (
  name: string,
  dflt: unknown,
  required: boolean
): EditorParamSpec => ({
  name,
  type: 'any',
  default: dflt as EditorParamSpec['default'],
  choices: null,
  required
});

const ENTRIES = [
  entry('relu', 'activation', 'max(x, 0)'),
  entry('matmul', 'matmul', 'a @ b'),
  entry('add', 'elementwise', 'a + b'),
  entry('softmax_cross_entropy', 'loss', '-Σ y log softmax(x)'),
  entry('max', 'reduction', 'max over axis'),
  entry('placeholder', 'input', 'named input', 'a value fed at run time')
];

describe('editor palette', () => {
  it('groups entries by category, both sorted', () => {
    const s = sections(ENTRIES);
    expect(s.map(x => x.category)).toEqual([
      'activation',
      'elementwise',
      'input',
      'loss',
      'matmul',
      'reduction'
    ]);
  });

  it('ranks name matches above formula and doc matches, all words required', () => {
    expect(searchPalette(ENTRIES, 'max').map(e => e.key)).toEqual([
      'max',
      'softmax_cross_entropy',
      'relu'
    ]);
    expect(searchPalette(ENTRIES, 'cross').map(e => e.key)).toEqual([
      'softmax_cross_entropy'
    ]);
    expect(searchPalette(ENTRIES, 'run time').map(e => e.key)).toEqual([
      'placeholder'
    ]);
    expect(searchPalette(ENTRIES, 'max loss').map(e => e.key)).toEqual([
      'softmax_cross_entropy'
    ]);
    expect(searchPalette(ENTRIES, '  ')).toHaveLength(ENTRIES.length);
    expect(searchPalette(ENTRIES, 'conv')).toEqual([]);
  });

  it('gives a fresh node its declared defaults only', () => {
    const e: PaletteEntry = {
      ...entry('sum', 'reduction'),
      params: [
        param('axis', null, false),
        param('keepdims', false, false),
        param('shape', null, true)
      ]
    };
    expect(defaultParams(e)).toEqual({ keepdims: false });
  });
});
