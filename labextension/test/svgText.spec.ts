import { buildSvg, type SvgTheme } from '../src/model/svgExport';
import { xmlSafe } from '../src/model/xmlText';

/** The names of tests/kernelext/test_svg_text.py: the kernel's fallback shows them alike. */
const BAD_NAMES: [string, string, string][] = [
  ['a control character', 'bell\u0007ring', 'bell\\x07ring'],
  ['NUL and escape', 'a\u0000b\u001b', 'a\\x00b\\x1b'],
  ['U+FFFE', 'x\ufffey', 'x\\ufffey'],
  ['U+FFFF', 'x\uffffy', 'x\\uffffy'],
  ['a lone high surrogate', 'hi\ud800', 'hi\\ud800'],
  ['a lone low surrogate', '\udfffend', '\\udfffend'],
  ['a reversed pair', '\ude00\ud83d', '\\ude00\\ud83d']
];

/** XML 1.0's Char production, checked code point by code point. */
function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

function forbiddenIn(text: string): string[] {
  return [...text].filter(c => !isXmlChar(c.codePointAt(0) ?? 0));
}

const theme: SvgTheme = {
  background: 'white',
  nodeFill: 'white',
  nodeStroke: 'black',
  groupFill: 'white',
  frameFill: 'white',
  frameStroke: 'black',
  text: 'black',
  mutedText: 'grey',
  edge: 'grey',
  accent: 'blue',
  fontFamily: 'sans-serif'
};

describe('text that XML cannot hold', () => {
  it.each(BAD_NAMES)('shows %s as a visible escape', (_case, name, shown) => {
    expect(xmlSafe(name)).toBe(shown);
  });

  it('keeps what XML allows, surrogate pairs included', () => {
    const text = 'tab\tnewline\ncr\r é ☃ \u{1f600} \u007f \ufffd';
    expect(xmlSafe(text)).toBe(text);
  });

  it.each(BAD_NAMES)(
    'leaves an exported SVG holding %s valid and rasterisable',
    (_case, name, shown) => {
      const svg = buildSvg(
        {
          width: 200,
          height: 100,
          direction: 'RIGHT',
          boxes: [
            {
              id: 'f',
              kind: 'frame',
              x: 0,
              y: 0,
              width: 200,
              height: 100,
              lines: [`scope/${name}`]
            },
            {
              id: 'n',
              kind: 'node',
              x: 10,
              y: 30,
              width: 100,
              height: 40,
              lines: ['mul', name]
            }
          ],
          edges: [{ from: { x: 0, y: 0 }, to: { x: 10, y: 30 }, label: name }]
        },
        theme
      );
      expect(forbiddenIn(svg)).toEqual([]);
      expect(svg).toContain(`>${shown}</text>`);
      // The PNG export loads the SVG from a data: URL; a lone surrogate made
      // encodeURIComponent throw, so the PNG failed before it began.
      expect(() => encodeURIComponent(svg)).not.toThrow();
    }
  );
});
