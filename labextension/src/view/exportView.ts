/**
 * Export the drawn view: build the scene from the laid-out visible graph,
 * resolve the theme from CSS variables, and download SVG or PNG.
 */
import { formatShapeDtype } from '../model/format';
import { groupLines, type VisibleGraph } from '../model/visibleGraph';
import {
  buildSvg,
  type Scene,
  type SceneBox,
  type SvgTheme
} from '../model/svgExport';
import type {
  LayoutDirection,
  LayoutResult,
  NodePosition
} from '../layout/messages';
import { resolveColour } from './themeColours';

export function buildScene(
  vg: VisibleGraph,
  layout: LayoutResult,
  direction: LayoutDirection,
  overlay: ReadonlyMap<string, string>,
  resolve: (expr: string) => string
): Scene {
  const boxes: SceneBox[] = [];
  const frameById = new Map(vg.frames.map(f => [f.id, f]));
  for (const f of layout.frames ?? []) {
    const frame = frameById.get(f.id);
    if (frame) {
      boxes.push({
        id: f.id,
        kind: 'frame',
        x: f.x,
        y: f.y,
        width: f.width,
        height: f.height,
        lines: [frame.group.path]
      });
    }
  }
  const pos = new Map<string, NodePosition>();
  for (const p of layout.nodes) {
    const item = vg.itemById.get(p.id);
    if (!item) {
      continue;
    }
    pos.set(p.id, p);
    const lines =
      item.kind === 'node'
        ? [
            item.node.op,
            ...(item.node.name ? [item.node.name] : []),
            formatShapeDtype(item.node.shape, item.node.dtype)
          ]
        : groupLines(item.group);
    const o = overlay.get(p.id);
    boxes.push({
      id: p.id,
      kind: item.kind,
      x: p.x,
      y: p.y,
      width: p.width,
      height: p.height,
      lines,
      fill: o ? resolve(o) : undefined
    });
  }
  const portAt = (p: NodePosition, port: string): { x: number; y: number } => {
    const q = p.ports.find(x => x.id === port);
    return q
      ? { x: p.x + q.x, y: p.y + q.y }
      : { x: p.x + p.width / 2, y: p.y + p.height / 2 };
  };
  const edges = vg.edges.flatMap(e => {
    const s = pos.get(e.source);
    const t = pos.get(e.target);
    return s && t
      ? [
          {
            from: portAt(s, 'out'),
            to: portAt(t, `in${e.targetPort}`),
            label: e.label
          }
        ]
      : [];
  });
  return {
    width: layout.width,
    height: layout.height,
    direction,
    boxes,
    edges
  };
}

export function themeFrom(host: Element): SvgTheme {
  const c = (v: string): string => resolveColour(host, `var(${v})`);
  return {
    background: c('--jp-layout-color0'),
    nodeFill: c('--jp-layout-color1'),
    nodeStroke: c('--jp-border-color1'),
    groupFill: c('--jp-layout-color2'),
    frameFill: c('--jp-layout-color0'),
    frameStroke: c('--jp-border-color1'),
    text: c('--jp-ui-font-color1'),
    mutedText: c('--jp-ui-font-color2'),
    edge: c('--jp-ui-font-color3'),
    accent: c('--jp-brand-color1'),
    fontFamily: getComputedStyle(host).fontFamily || 'sans-serif'
  };
}

export function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function exportSvgText(
  host: Element,
  vg: VisibleGraph,
  layout: LayoutResult,
  direction: LayoutDirection,
  overlay: ReadonlyMap<string, string>
): string {
  const scene = buildScene(vg, layout, direction, overlay, e =>
    resolveColour(host, e)
  );
  return buildSvg(scene, themeFrom(host));
}

/** Rasterise an SVG string to a PNG blob (scaled down to stay within canvas limits). */
export function svgToPng(svg: string): Promise<Blob> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => {
      const maxSide = 8000;
      const scale = Math.min(2, maxSide / Math.max(img.width, img.height, 1));
      const canvas = document.createElement('canvas');
      canvas.width = Math.max(1, Math.round(img.width * scale));
      canvas.height = Math.max(1, Math.round(img.height * scale));
      const ctx = canvas.getContext('2d');
      if (!ctx) {
        reject(new Error('no 2-D canvas'));
        return;
      }
      ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
      canvas.toBlob(
        b => (b ? resolve(b) : reject(new Error('PNG encoding failed'))),
        'image/png'
      );
    };
    img.onerror = () =>
      reject(new Error('the SVG could not be loaded as an image'));
    img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  });
}
