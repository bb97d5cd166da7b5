/**
 * What the layout needs from the graph: node boxes, port counts, edges, and
 * the frames of expanded groups. Collapsed groups are single boxes.
 */
import {
  estimateNodeSize,
  GraphModel,
  inputPortCount
} from '../model/graphModel';
import { groupPathOfItem, type VisibleGraph } from '../model/visibleGraph';
import type { LayoutGraphInput } from './messages';

/** Every node of the model, flat (no groups). */
export function layoutInputFromModel(model: GraphModel): LayoutGraphInput {
  return {
    nodes: model.nodes.map(n => {
      const size = estimateNodeSize(n);
      return {
        id: n.id,
        width: size.width,
        height: size.height,
        inPorts: inputPortCount(model, n.id)
      };
    }),
    edges: model.edges.map(e => ({
      id: e.id,
      source: e.source,
      target: e.target,
      targetPort: e.target_port
    }))
  };
}

/** A group's box and its frame share one layout key: the group's path. */
function groupKey(id: string): string | undefined {
  const path = groupPathOfItem(id);
  return path === null ? undefined : `group\u0000${path}`;
}

/** The visible items of a grouped view: collapsed groups are single nodes, expanded ones frames. */
export function layoutInputFromVisible(vg: VisibleGraph): LayoutGraphInput {
  return {
    nodes: vg.items.map(i => ({
      id: i.id,
      key: groupKey(i.id),
      width: i.size.width,
      height: i.size.height,
      inPorts: i.inPorts,
      parent: i.parent,
      align: vg.alignTo.get(i.id),
      first: i.kind === 'node' && i.node.op === 'placeholder' ? true : undefined
    })),
    edges: vg.edges.map(e => ({
      id: e.id,
      source: e.source,
      target: e.target,
      targetPort: e.targetPort
    })),
    frames: vg.frames.map(f => ({
      id: f.id,
      key: groupKey(f.id),
      parent: f.parent,
      align: vg.alignTo.get(f.id),
      band: vg.bandOfFrame.get(f.id)
    }))
  };
}
