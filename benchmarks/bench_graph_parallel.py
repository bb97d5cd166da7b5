"""Thread-pool scheduling of independent branches: speed-up where there are parallel branches,
no slowdown where there are none (the plan stays serial on its own).

numpy releases the GIL inside big ufunc loops, so two branches can use two cores.
Run: .venv/bin/python benchmarks/bench_graph_parallel.py
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import vizflow_engine as vf
from vizflow_engine.graph import Graph

SHAPE = (1024, 1024)
REPEATS = 15


def branches(k: int, depth: int) -> Graph:
    """k independent elementwise branches from one input, summed at the end."""
    g = Graph(f"{k}-branches")
    x = g.placeholder("x", SHAPE)
    outs = []
    for b in range(k):
        y = x
        for _ in range(depth):
            y = vf.tanh(y * float(b + 1) + 0.5)
        outs.append(y.sum())
    total = outs[0]
    for o in outs[1:]:
        total = total + o
    g.output(total)
    return g


def interleaved(fns: list[Callable[[], Any]]) -> list[float]:
    """Best seconds per call of each fn, run in turn REPEATS times (drift hits all alike)."""
    best = [float("inf")] * len(fns)
    for fn in fns:
        fn()
    for _ in range(REPEATS):
        for k, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            best[k] = min(best[k], time.perf_counter() - t0)
    return best


def overlap(fn: Callable[[], Any], n: int = 5) -> float:
    """Process CPU time over wall time of n calls: above 1 means threads ran at once."""
    c0, w0 = time.process_time(), time.perf_counter()
    for _ in range(n):
        fn()
    return (time.process_time() - c0) / (time.perf_counter() - w0)


def main() -> None:
    """Print serial vs parallel vs auto for a branchy graph and a single chain."""
    print(f"cores available: {len(os.sched_getaffinity(0))}")
    x = np.random.default_rng(0).standard_normal(SHAPE).astype(np.float32)
    for g in (branches(2, 6), branches(4, 3), branches(1, 12)):
        serial = g.compile(parallel=False)
        par = g.compile(parallel=True)
        auto = g.compile()
        np.testing.assert_allclose(par.run(x)[0], serial.run(x)[0], rtol=1e-4)
        ts, tp, ta = interleaved([lambda p=p: p.run(x) for p in (serial, par, auto)])
        print(
            f"{g.name:>11} ({len(g.nodes)} nodes on {SHAPE}): serial {ts * 1e3:.2f} ms | "
            f"parallel {tp * 1e3:.2f} ms ({ts / tp:.2f}× speed-up) | auto "
            f"(parallel={auto.parallel}) {ta * 1e3:.2f} ms ({ts / ta:.2f}×) | cpu/wall "
            f"serial {overlap(lambda p=serial: p.run(x)):.2f}, parallel "
            f"{overlap(lambda p=par: p.run(x)):.2f}"
        )


if __name__ == "__main__":
    main()
