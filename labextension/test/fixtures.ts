import type { GraphNode, GraphPayload } from '../src/protocol';

export function node(
  id: string,
  op: string,
  extra: Partial<GraphNode> = {}
): GraphNode {
  return {
    id,
    op,
    name: '',
    category: 'elementwise',
    shape: [4, 3],
    dtype: 'float32',
    device: 'cpu',
    scope: '',
    phase: 'forward',
    ...extra
  };
}

/** y = relu(x @ W + b); loss = mean(y) */
export function smallGraph(): GraphPayload {
  return {
    version: '1.0',
    title: 'tiny mlp',
    nodes: [
      node('x', 'placeholder', {
        name: 'x',
        category: 'input',
        phase: 'input'
      }),
      node('W', 'variable', { name: 'W', category: 'variable', shape: [3, 3] }),
      node('b', 'variable', { name: 'b', category: 'variable', shape: [3] }),
      node('mm', 'matmul', { category: 'matmul' }),
      node('add', 'add'),
      node('relu', 'relu', { category: 'activation' }),
      node('loss', 'mean', { name: 'loss', category: 'reduction', shape: [] })
    ],
    edges: [
      {
        id: 'e1',
        source: 'x',
        target: 'mm',
        target_port: 0,
        shape: [4, 3],
        dtype: 'float32'
      },
      {
        id: 'e2',
        source: 'W',
        target: 'mm',
        target_port: 1,
        shape: [3, 3],
        dtype: 'float32'
      },
      {
        id: 'e3',
        source: 'mm',
        target: 'add',
        target_port: 0,
        shape: [4, 3],
        dtype: 'float32'
      },
      {
        id: 'e4',
        source: 'b',
        target: 'add',
        target_port: 1,
        shape: [3],
        dtype: 'float32'
      },
      {
        id: 'e5',
        source: 'add',
        target: 'relu',
        target_port: 0,
        shape: [4, 3],
        dtype: 'float32'
      },
      {
        id: 'e6',
        source: 'relu',
        target: 'loss',
        target_port: 0,
        shape: [4, 3],
        dtype: 'float32'
      }
    ],
    outputs: ['loss']
  };
}
