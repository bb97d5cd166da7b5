/** A transformer-like payload with scopes `blocks/<i>/{ln1,attn,ln2,mlp}/...`. */
import type { GraphEdge, GraphNode, GraphPayload } from '../src/protocol';
import { node } from './fixtures';

export function transformerPayload(blocks: number, perSub = 10): GraphPayload {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  let e = 0;
  const link = (s: string, t: string, port: number): void => {
    edges.push({
      id: `e${e++}`,
      source: s,
      target: t,
      target_port: port,
      shape: [8, 64],
      dtype: 'float32'
    });
  };
  nodes.push(
    node('x', 'placeholder', { name: 'x', category: 'input', phase: 'input' })
  );
  let prev = 'x';
  for (let b = 0; b < blocks; b++) {
    const blockIn = prev;
    for (const sub of ['ln1', 'attn', 'ln2', 'mlp']) {
      const scope = `blocks/${b}/${sub}`;
      const w = `b${b}.${sub}.w`;
      nodes.push(
        node(w, 'variable', { name: 'weight', category: 'variable', scope })
      );
      for (let k = 0; k < perSub; k++) {
        const id = `b${b}.${sub}.${k}`;
        const op = k % 3 === 0 ? 'matmul' : k % 3 === 1 ? 'add' : 'relu';
        nodes.push(
          node(id, op, {
            name: `${sub}_${k}`,
            scope,
            category: op === 'matmul' ? 'matmul' : 'elementwise'
          })
        );
        link(prev, id, 0);
        if (op !== 'relu') {
          link(k === 0 ? w : blockIn, id, 1);
        }
        prev = id;
      }
    }
    const res = `b${b}.residual`;
    nodes.push(node(res, 'add', { name: 'residual', scope: `blocks/${b}` }));
    link(prev, res, 0);
    link(blockIn, res, 1);
    prev = res;
  }
  nodes.push(
    node('loss', 'mean', { name: 'loss', category: 'loss', shape: [] })
  );
  link(prev, 'loss', 0);
  return {
    version: '1.0',
    title: `transformer ${blocks}`,
    nodes,
    edges,
    outputs: ['loss']
  };
}
