import { buildGraphModel } from '../src/model/graphModel';
import { buildScopeTree } from '../src/model/scopeTree';
import { buildVisibleGraph } from '../src/model/visibleGraph';
import {
  availableMetrics,
  colourScale,
  formatMetric,
  overlayColour,
  overlayValues,
  scaleFraction
} from '../src/model/overlay';
import { buildSvg, escapeXml, type SvgTheme } from '../src/model/svgExport';
import { buildNameIndex, matchNode } from '../src/model/compare';
import { readSettings, DEFAULT_SETTINGS } from '../src/model/settings';
import { node } from './fixtures';

const model = buildGraphModel({
  version: '1.0',
  title: '',
  nodes: [
    node('a', 'matmul', { scope: 'g', metrics: { time_ms: 2, nan_count: 0 } }),
    node('b', 'relu', { scope: 'g', metrics: { time_ms: 3, nan_count: 1 } }),
    node('c', 'mean', { metrics: { time_ms: 10, nan_count: null } })
  ],
  edges: [],
  outputs: [],
  metrics: [{ name: 'time_ms', label: 'time', unit: 'ms' }]
});

describe('overlay colour scales', () => {
  const tree = buildScopeTree(model);
  const collapsed = buildVisibleGraph(model, tree, new Set());

  it('sums additive figures over a collapsed group and takes the max of flags', () => {
    expect([...overlayValues(model, collapsed, 'time_ms')]).toEqual([
      ['group:g', 5],
      ['c', 10]
    ]);
    expect([...overlayValues(model, collapsed, 'nan_count')]).toEqual([
      ['group:g', 1]
    ]);
  });

  it('maps values onto 0..1 between min and max', () => {
    const s = colourScale('time_ms', [5, 10, 7.5])!;
    expect(s).toEqual({ metric: 'time_ms', min: 5, max: 10 });
    expect(scaleFraction(5, s)).toBe(0);
    expect(scaleFraction(7.5, s)).toBe(0.5);
    expect(scaleFraction(99, s)).toBe(1);
    expect(colourScale('x', [])).toBeNull();
    expect(scaleFraction(3, { metric: 'x', min: 3, max: 3 })).toBe(1);
  });

  it('uses theme variables only', () => {
    expect(overlayColour(0.25)).toBe(
      'color-mix(in srgb, var(--vf-overlay-high) 25%, var(--vf-overlay-low))'
    );
  });

  it('lists declared metrics first, then undeclared names found on nodes', () => {
    expect(
      availableMetrics(
        model.nodes.length
          ? [{ name: 'time_ms', label: 'time', unit: 'ms' }]
          : [],
        model
      ).map(m => m.name)
    ).toEqual(['time_ms', 'nan_count']);
    expect(formatMetric(1.5, 'ms')).toBe('1.5 ms');
    expect(formatMetric(3e6, 'bytes')).toBe('3.00e+6 bytes');
  });
});

describe('SVG export', () => {
  const theme: SvgTheme = {
    background: 'rgb(255, 255, 255)',
    nodeFill: 'rgb(250, 250, 250)',
    nodeStroke: 'rgb(0, 0, 0)',
    groupFill: 'rgb(238, 238, 238)',
    frameFill: 'rgb(255, 255, 255)',
    frameStroke: 'rgb(100, 100, 100)',
    text: 'rgb(0, 0, 0)',
    mutedText: 'rgb(90, 90, 90)',
    edge: 'rgb(120, 120, 120)',
    accent: 'rgb(20, 100, 200)',
    fontFamily: '"Open Sans", sans-serif'
  };

  it('escapes text', () => {
    expect(escapeXml(`<img src=x onerror="alert(1)"> & 'q'`)).toBe(
      '&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &apos;q&apos;'
    );
    expect(escapeXml('a\u0001b')).toBe('a\\x01b');
  });

  it('is a well-formed document with boxes, text and edges', () => {
    const svg = buildSvg(
      {
        width: 300,
        height: 100,
        direction: 'RIGHT',
        boxes: [
          {
            id: 'f',
            kind: 'frame',
            x: 0,
            y: 0,
            width: 300,
            height: 100,
            lines: ['enc']
          },
          {
            id: 'a',
            kind: 'node',
            x: 10,
            y: 30,
            width: 100,
            height: 40,
            lines: ['matmul', '<img src=x onerror=alert(1)>']
          },
          {
            id: 'g',
            kind: 'group',
            x: 180,
            y: 30,
            width: 100,
            height: 40,
            lines: ['layer ×12'],
            fill: 'rgb(1, 2, 3)'
          }
        ],
        edges: [
          {
            from: { x: 110, y: 50 },
            to: { x: 180, y: 50 },
            label: '(4, 3) float32'
          }
        ]
      },
      theme
    );
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(
      true
    );
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).not.toContain('<img');
    expect(svg).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(svg).toContain('font-family="&quot;Open Sans&quot;, sans-serif"');
    expect(svg).toContain('fill="rgb(1, 2, 3)"');
    expect((svg.match(/<path /g) ?? []).length).toBe(1);
    expect((svg.match(/<rect /g) ?? []).length).toBe(4);
    // Balanced tags: every <g> closes, no stray '<' in text.
    expect((svg.match(/<g /g) ?? []).length).toBe(
      (svg.match(/<\/g>/g) ?? []).length
    );
    const texts = svg.match(/>([^<]*)</g) ?? [];
    for (const t of texts) {
      expect(t.slice(1, -1)).not.toMatch(/[<>]/);
    }
  });
});

describe('side-by-side matching', () => {
  const a = buildGraphModel({
    version: '1.0',
    title: '',
    outputs: [],
    edges: [],
    nodes: [node('n1', 'matmul', { name: 'w' }), node('n2', 'relu')]
  });
  const b = buildGraphModel({
    version: '1.0',
    title: '',
    outputs: [],
    edges: [],
    nodes: [node('m9', 'matmul', { name: 'w' }), node('n2', 'tanh')]
  });

  it('matches by name, falling back to id', () => {
    expect(matchNode(a, b, 'n1')).toBe('m9');
    expect(matchNode(a, b, 'n2', buildNameIndex(b))).toBe('n2');
    expect(matchNode(b, a, 'm9')).toBe('n1');
    expect(matchNode(a, b, 'missing')).toBeNull();
  });
});

describe('settings', () => {
  it('keeps defaults for bad values', () => {
    expect(readSettings(null)).toEqual(DEFAULT_SETTINGS);
    expect(
      readSettings({
        direction: 'DOWN',
        collapseDepth: 2,
        maxVisible: 50,
        overlay: 'time_ms'
      })
    ).toEqual({
      direction: 'DOWN',
      collapseDepth: 2,
      maxVisible: 50,
      overlay: 'time_ms'
    });
    expect(
      readSettings({ direction: 'UP', collapseDepth: 1.5, maxVisible: 1 })
    ).toEqual(DEFAULT_SETTINGS);
  });
});
