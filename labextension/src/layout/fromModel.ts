/**
 * What the layout needs from the graph model: node boxes, port counts, edges.
 */
import {
  estimateNodeSize,
  GraphModel,
  inputPortCount
} from '../model/graphModel';
import type { LayoutGraphInput } from './messages';

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
