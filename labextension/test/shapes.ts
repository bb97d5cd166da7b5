/** Graph shapes without scopes (or with Sequential-style ones) for auto-grouping and layout tests. */
import type { GraphEdge, GraphNode, GraphPayload } from '../src/protocol';
import { node } from './fixtures';

/** Collects nodes and edges; `link` numbers edges in order. */
export class Builder {
  nodes: GraphNode[] = [];
  edges: GraphEdge[] = [];
  scopeTypes: Record<string, string> = {};

  add(id: string, op: string, extra: Partial<GraphNode> = {}): string {
    this.nodes.push(node(id, op, extra));
    return id;
  }

  link(source: string, target: string, port = 0): void {
    this.edges.push({
      id: `e${this.edges.length}`,
      source,
      target,
      target_port: port,
      shape: [4, 3],
      dtype: 'float32'
    });
  }

  payload(title: string, outputs: string[] = []): GraphPayload {
    return {
      version: '1.0',
      title,
      nodes: this.nodes,
      edges: this.edges,
      outputs,
      scope_types: this.scopeTypes
    };
  }
}

/** x → n nodes in a chain (ops cycling through `ops`), no scopes. */
export function flatChain(n: number, ops = ['add']): GraphPayload {
  const b = new Builder();
  let prev = b.add('x', 'placeholder', { phase: 'input' });
  for (let i = 0; i < n; i++) {
    const id = b.add(`n${i}`, ops[i % ops.length]);
    b.link(prev, id);
    prev = id;
  }
  return b.payload(`chain ${n}`, [prev]);
}

/**
 * `layers` pairs of Linear + ReLU: each Linear a weight, a bias, matmul and add; scoped
 * "0", "1", … like an nn.Sequential when `scoped`, else with no scopes at all.
 */
export function linearReluStack(layers: number, scoped: boolean): GraphPayload {
  const b = new Builder();
  let prev = b.add('x', 'placeholder', { phase: 'input' });
  for (let l = 0; l < layers; l++) {
    const lin = scoped ? String(2 * l) : '';
    const act = scoped ? String(2 * l + 1) : '';
    const w = b.add(`w${l}`, 'variable', { scope: lin, category: 'variable' });
    const bias = b.add(`b${l}`, 'variable', {
      scope: lin,
      category: 'variable'
    });
    const mm = b.add(`mm${l}`, 'matmul', { scope: lin });
    const add = b.add(`add${l}`, 'add', { scope: lin });
    const relu = b.add(`relu${l}`, 'relu', { scope: act });
    b.link(prev, mm, 0);
    b.link(w, mm, 1);
    b.link(mm, add, 0);
    b.link(bias, add, 1);
    b.link(add, relu, 0);
    if (scoped) {
      b.scopeTypes[lin] = 'Linear';
      b.scopeTypes[act] = 'ReLU';
    }
    prev = relu;
  }
  const loss = b.add('loss', 'sum', { shape: [] });
  b.link(prev, loss);
  return b.payload('deep', [loss]);
}

/** An RNN cell unrolled `steps` times with no scopes: h = tanh(x_t @ Wx + h @ Wh + b). */
export function unrolledCell(steps: number): GraphPayload {
  const b = new Builder();
  const wx = b.add('Wx', 'variable', { category: 'variable' });
  const wh = b.add('Wh', 'variable', { category: 'variable' });
  const bias = b.add('bias', 'variable', { category: 'variable' });
  const xs = b.add('xs', 'placeholder', { phase: 'input' });
  let h = b.add('h0', 'zeros');
  for (let t = 0; t < steps; t++) {
    const xt = b.add(`x${t}`, 'getitem');
    const a = b.add(`xa${t}`, 'matmul');
    const c = b.add(`ha${t}`, 'matmul');
    const s = b.add(`s${t}`, 'add');
    const s2 = b.add(`sb${t}`, 'add');
    const nh = b.add(`h${t + 1}`, 'tanh');
    b.link(xs, xt);
    b.link(xt, a, 0);
    b.link(wx, a, 1);
    b.link(h, c, 0);
    b.link(wh, c, 1);
    b.link(a, s, 0);
    b.link(c, s, 1);
    b.link(s, s2, 0);
    b.link(bias, s2, 1);
    b.link(s2, nh);
    h = nh;
  }
  const out = b.add('out', 'mean', { shape: [] });
  b.link(h, out);
  return b.payload('rnn', [out]);
}

/** One node feeding `width` nodes that a sum gathers. */
export function fanOut(width: number): GraphPayload {
  const b = new Builder();
  const x = b.add('x', 'placeholder', { phase: 'input' });
  const parts: string[] = [];
  for (let i = 0; i < width; i++) {
    parts.push(b.add(`f${i}`, 'relu'));
    b.link(x, `f${i}`);
  }
  const total = b.add('total', 'stack');
  parts.forEach((p, i) => b.link(p, total, i));
  return b.payload('fan-out', [total]);
}

/**
 * A traced training step of Sequential(Linear, ReLU, Linear) + loss: forward nodes scoped
 * "0", "1", "2"; one backward node per forward op (`forward_of`, no scope of its own);
 * an SGD-with-momentum update per parameter (`updates`) and its momentum buffer.
 */
export function trainingStep(withUpdates = true): GraphPayload {
  const b = new Builder();
  b.scopeTypes = { '0': 'Linear', '1': 'ReLU', '2': 'Linear' };
  let prev = b.add('x', 'placeholder', { phase: 'input' });
  const forwardOps: string[] = [];
  const params: string[] = [];
  for (const [scope, kind] of [
    ['0', 'linear'],
    ['1', 'relu'],
    ['2', 'linear']
  ]) {
    if (kind === 'relu') {
      prev = b.add(`relu${scope}`, 'relu', { scope });
      b.link(forwardOps[forwardOps.length - 1], prev);
      forwardOps.push(prev);
      continue;
    }
    const w = b.add(`w${scope}`, 'variable', { scope, category: 'variable' });
    const bias = b.add(`b${scope}`, 'variable', {
      scope,
      category: 'variable'
    });
    params.push(w, bias);
    const mm = b.add(`mm${scope}`, 'matmul', { scope });
    b.link(prev, mm, 0);
    b.link(w, mm, 1);
    const add = b.add(`add${scope}`, 'add', { scope });
    b.link(mm, add, 0);
    b.link(bias, add, 1);
    forwardOps.push(mm, add);
    prev = add;
  }
  const loss = b.add('loss', 'mean', { shape: [] });
  b.link(prev, loss);
  forwardOps.push(loss);
  let grad = b.add('g_loss', 'ones_like', {
    phase: 'backward',
    forward_of: 'loss'
  });
  for (const f of [...forwardOps].reverse().slice(1)) {
    const g = b.add(`g_${f}`, 'vjp', { phase: 'backward', forward_of: f });
    b.link(grad, g);
    grad = g;
  }
  for (const p of params) {
    const consumer = p.startsWith('w')
      ? `g_mm${p.slice(1)}`
      : `g_add${p.slice(1)}`;
    const gp = b.add(`g_${p}`, 'vjp', { phase: 'backward', forward_of: p });
    b.link(consumer, gp);
    if (withUpdates) {
      const buf = b.add(`m_${p}`, 'variable', {
        phase: 'update',
        category: 'variable'
      });
      const m = b.add(`mom_${p}`, 'mul_add', { phase: 'update' });
      b.link(buf, m, 0);
      b.link(gp, m, 1);
      const keep = b.add(`grad_${p}`, 'assign', { phase: 'update' });
      b.link(consumer, keep);
      const u = b.add(`upd_${p}`, 'sub_', { phase: 'update', updates: p });
      b.link(p, u, 0);
      b.link(m, u, 1);
    }
  }
  return b.payload('training step', [loss]);
}
