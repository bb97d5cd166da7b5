/**
 * Export the laid-out view as a standalone SVG: frames, node boxes with their
 * text, edges as cubic curves between ports. Colours come from a theme object
 * (resolved from the page's CSS variables by the view), text is XML-escaped.
 */
import { xmlSafe } from './xmlText';

export interface SvgTheme {
  background: string;
  nodeFill: string;
  nodeStroke: string;
  groupFill: string;
  frameFill: string;
  frameStroke: string;
  text: string;
  mutedText: string;
  edge: string;
  accent: string;
  fontFamily: string;
}

export interface SceneBox {
  id: string;
  kind: 'node' | 'group' | 'frame';
  x: number;
  y: number;
  width: number;
  height: number;
  /** Text lines, first one bold. */
  lines: string[];
  /** Overrides the fill (overlay colour), already resolved. */
  fill?: string;
}

export interface SceneEdge {
  from: { x: number; y: number };
  to: { x: number; y: number };
  label?: string;
}

export interface Scene {
  width: number;
  height: number;
  direction: 'RIGHT' | 'DOWN';
  boxes: SceneBox[];
  edges: SceneEdge[];
}

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;'
};

/**
 * Escape text for XML content and attribute values; characters XML forbids
 * become visible escapes (`xmlSafe`), so the SVG parses and rasterises.
 */
export function escapeXml(text: string): string {
  return xmlSafe(text).replace(/[&<>"']/g, c => XML_ESCAPES[c]);
}

function num(v: number): string {
  return String(Math.round(v * 10) / 10);
}

const LINE = 17;

export function buildSvg(scene: Scene, theme: SvgTheme): string {
  const pad = 10;
  const w = Math.ceil(scene.width + 2 * pad);
  const h = Math.ceil(scene.height + 2 * pad);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="${-pad} ${-pad} ${w} ${h}" font-family="${escapeXml(theme.fontFamily)}" font-size="12">`
  );
  out.push(
    `<rect x="${-pad}" y="${-pad}" width="${w}" height="${h}" fill="${escapeXml(theme.background)}"/>`
  );
  const frames = scene.boxes.filter(b => b.kind === 'frame');
  for (const f of frames) {
    out.push(
      `<g class="vf-svg-frame"><rect x="${num(f.x)}" y="${num(f.y)}" width="${num(f.width)}" height="${num(f.height)}" rx="6" fill="${escapeXml(theme.frameFill)}" stroke="${escapeXml(theme.frameStroke)}" stroke-dasharray="4 3"/>` +
        `<text x="${num(f.x + 8)}" y="${num(f.y + 18)}" fill="${escapeXml(theme.mutedText)}" font-weight="600">${escapeXml(f.lines[0] ?? '')}</text></g>`
    );
  }
  const horizontal = scene.direction === 'RIGHT';
  for (const e of scene.edges) {
    const dx = horizontal ? Math.max(30, (e.to.x - e.from.x) / 2) : 0;
    const dy = horizontal ? 0 : Math.max(30, (e.to.y - e.from.y) / 2);
    const d = `M${num(e.from.x)},${num(e.from.y)} C${num(e.from.x + dx)},${num(e.from.y + dy)} ${num(e.to.x - dx)},${num(e.to.y - dy)} ${num(e.to.x)},${num(e.to.y)}`;
    out.push(
      `<path d="${d}" fill="none" stroke="${escapeXml(theme.edge)}" stroke-width="1.2"/>`
    );
    if (e.label) {
      const mx = (e.from.x + e.to.x) / 2;
      const my = (e.from.y + e.to.y) / 2;
      out.push(
        `<text x="${num(mx)}" y="${num(my - 3)}" text-anchor="middle" font-size="9" fill="${escapeXml(theme.mutedText)}">${escapeXml(e.label)}</text>`
      );
    }
  }
  for (const b of scene.boxes) {
    if (b.kind === 'frame') {
      continue;
    }
    const fill =
      b.fill ?? (b.kind === 'group' ? theme.groupFill : theme.nodeFill);
    out.push(
      `<g class="vf-svg-${b.kind}"><rect x="${num(b.x)}" y="${num(b.y)}" width="${num(b.width)}" height="${num(b.height)}" rx="4" fill="${escapeXml(fill)}" stroke="${escapeXml(b.kind === 'group' ? theme.accent : theme.nodeStroke)}"/>`
    );
    b.lines.forEach((line, i) => {
      out.push(
        `<text x="${num(b.x + 10)}" y="${num(b.y + 7 + LINE * (i + 0.75))}" fill="${escapeXml(i === 0 ? theme.text : theme.mutedText)}"${i === 0 ? ' font-weight="600"' : ''}>${escapeXml(line)}</text>`
      );
    });
    out.push('</g>');
  }
  out.push('</svg>');
  return out.join('\n');
}
