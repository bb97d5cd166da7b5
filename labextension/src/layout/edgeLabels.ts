/**
 * Which edges keep their label (shape and dtype, drawn at the edge's middle):
 * those whose label box covers no node and no label kept before it. A
 * crowded label is left out rather than drawn over a node's text; the shape
 * stays in the inspector. Pure function of the layout; a grid of cells keeps
 * it linear in the number of edges.
 */
import type { NodePosition } from './messages';

/** Width of one character of an edge label (10px monospace) and the label's padding and height. */
const LABEL_CHAR_PX = 6.2;
const LABEL_PAD_PX = 8;
const LABEL_HEIGHT_PX = 16;
const CELL_PX = 120;

export interface LabelledEdge {
  id: string;
  source: string;
  target: string;
  targetPort: number;
  label: string;
}

interface Rect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** The label's box: centred between the source's out port and the target's in port. */
function labelBox(
  e: LabelledEdge,
  boxes: ReadonlyMap<string, NodePosition>
): Rect | null {
  const s = boxes.get(e.source);
  const t = boxes.get(e.target);
  const out = s?.ports.find(p => p.id === 'out');
  const inp = t?.ports.find(p => p.id === `in${e.targetPort}`);
  if (!s || !t || !out || !inp) {
    return null;
  }
  const x = (s.x + out.x + t.x + inp.x) / 2;
  const y = (s.y + out.y + t.y + inp.y) / 2;
  const half = (e.label.length * LABEL_CHAR_PX + LABEL_PAD_PX) / 2;
  return {
    left: x - half,
    right: x + half,
    top: y - LABEL_HEIGHT_PX / 2,
    bottom: y + LABEL_HEIGHT_PX / 2
  };
}

function overlaps(a: Rect, b: Rect): boolean {
  return (
    a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom
  );
}

/** A sparse grid of rectangles, each filed under every cell it touches. */
class RectGrid {
  private readonly cells = new Map<string, Rect[]>();

  add(r: Rect): void {
    this.forCells(r, key => {
      const list = this.cells.get(key);
      if (list) {
        list.push(r);
      } else {
        this.cells.set(key, [r]);
      }
    });
  }

  hits(r: Rect): boolean {
    let hit = false;
    this.forCells(r, key => {
      if (!hit && (this.cells.get(key) ?? []).some(o => overlaps(o, r))) {
        hit = true;
      }
    });
    return hit;
  }

  private forCells(r: Rect, f: (key: string) => void): void {
    const x0 = Math.floor(r.left / CELL_PX);
    const x1 = Math.floor(r.right / CELL_PX);
    const y0 = Math.floor(r.top / CELL_PX);
    const y1 = Math.floor(r.bottom / CELL_PX);
    for (let x = x0; x <= x1; x++) {
      for (let y = y0; y <= y1; y++) {
        f(`${x},${y}`);
      }
    }
  }
}

/** The ids of the edges whose label can be drawn clear of nodes and of each other. */
export function labelsThatFit(
  edges: readonly LabelledEdge[],
  boxes: ReadonlyMap<string, NodePosition>
): Set<string> {
  const nodes = new RectGrid();
  for (const b of boxes.values()) {
    nodes.add({
      left: b.x,
      top: b.y,
      right: b.x + b.width,
      bottom: b.y + b.height
    });
  }
  const labels = new RectGrid();
  const kept = new Set<string>();
  for (const e of edges) {
    const r = e.label ? labelBox(e, boxes) : null;
    if (r && !nodes.hits(r) && !labels.hits(r)) {
      labels.add(r);
      kept.add(e.id);
    }
  }
  return kept;
}
