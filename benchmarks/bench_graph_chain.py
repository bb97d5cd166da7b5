"""Per-node overhead: a 1000-node chain of small elementwise ops on (32, 32) float32.

Columns (µs per node, one process): numpy allocating, numpy with out= (the floor), the compiled
vizflow plan without fusion, and with elementwise fusion. Ratios are against numpy out=.
Run: .venv/bin/python benchmarks/bench_graph_chain.py
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

import vizflow_engine as vf
from vizflow_engine.graph import Graph, optimize

NODES = 1000
SHAPE = (32, 32)
REPEATS = 15


def chain(x: Any, c: Any) -> Any:
    """NODES ops, cycling mul/add/tanh/sub (bounded values)."""
    y = x
    for i in range(NODES // 4):
        y = vf.tanh(y * 0.5 + c) - 0.25 if not isinstance(y, np.ndarray) else y
        del i
    return y


def numpy_alloc(x: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Plain numpy, a new array per op."""
    y = x
    for _ in range(NODES // 4):
        y = np.tanh(y * np.float32(0.5) + c) - np.float32(0.25)
    return y


def numpy_out(x: np.ndarray, c: np.ndarray, buf: np.ndarray) -> np.ndarray:
    """numpy writing every op into one preallocated buffer (the floor)."""
    np.multiply(x, np.float32(0.5), out=buf)
    np.add(buf, c, out=buf)
    np.tanh(buf, out=buf)
    np.subtract(buf, np.float32(0.25), out=buf)
    for _ in range(NODES // 4 - 1):
        np.multiply(buf, np.float32(0.5), out=buf)
        np.add(buf, c, out=buf)
        np.tanh(buf, out=buf)
        np.subtract(buf, np.float32(0.25), out=buf)
    return buf


def interleaved(cases: dict[str, Callable[[], Any]], repeats: int = REPEATS) -> dict[str, float]:
    """Best seconds per call of each case, the cases run in turn (load drift hits all alike)."""
    best = dict.fromkeys(cases, float("inf"))
    for fn in cases.values():
        fn()
    for _ in range(repeats):
        for name, fn in cases.items():
            t0 = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t0)
    return best


def build() -> Graph:
    """The chain as a graph: x, c placeholders; one output."""
    g = Graph("chain")
    x = g.placeholder("x", SHAPE)
    c = g.placeholder("c", SHAPE)
    g.output(chain(x, c))
    return g


def main() -> None:
    """Print µs per node and ratios."""
    r = np.random.default_rng(0)
    x = r.standard_normal(SHAPE).astype(np.float32)
    c = r.standard_normal(SHAPE).astype(np.float32)
    buf = np.empty(SHAPE, np.float32)
    g = build()
    assert len(g.nodes) == NODES
    plain = g.compile(parallel=False)
    fused_g = optimize(g, fuse=True)[0]
    fused = fused_g.compile(parallel=False)
    want = numpy_out(x, c, buf).copy()
    np.testing.assert_allclose(plain.run(x, c)[0], want, rtol=1e-5)
    np.testing.assert_allclose(fused.run(x, c)[0], want, rtol=1e-5)
    t = interleaved(
        {
            "alloc": lambda: numpy_alloc(x, c),
            "out": lambda: numpy_out(x, c, buf),
            "plain": lambda: plain.run(x, c),
            "fused": lambda: fused.run(x, c),
        },
        REPEATS * 3,
    )
    t_alloc, t_out, t_plain, t_fused = t["alloc"], t["out"], t["plain"], t["fused"]
    us = 1e6 / NODES
    print(f"{NODES}-node chain on {SHAPE} float32, µs per node:")
    print(f"  numpy allocating   {t_alloc * us:.3f}  ({t_alloc / t_out:.2f}× numpy out=)")
    print(f"  numpy out=         {t_out * us:.3f}  (1.00×)")
    print(f"  vizflow, no fusion {t_plain * us:.3f}  ({t_plain / t_out:.2f}× numpy out=)")
    print(
        f"  vizflow, fused     {t_fused * us:.3f}  ({t_fused / t_out:.2f}× numpy out=, "
        f"{t_fused / t_alloc:.2f}× numpy allocating; {len(fused_g.nodes)} fused node(s))"
    )


if __name__ == "__main__":
    main()
