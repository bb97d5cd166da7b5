"""GPU (cupy): the MLP training step compiled vs eager vizflow, synchronising once per batch of
steps (the compiled plan never synchronises per node). Needs cupy and a CUDA GPU.
Run: python benchmarks/bench_graph_gpu.py
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
from bench_graph_mlp import init, vizflow_step

import vizflow_engine as vf
from vizflow_engine.graph import function

STEPS = 50


def timed(fn: Callable[[], Any], sync: Callable[[], Any]) -> float:
    """Best mean seconds per step over 5 rounds of STEPS steps, one sync per round."""
    fn()
    sync()
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(STEPS):
            fn()
        sync()
        best = min(best, (time.perf_counter() - t0) / STEPS)
    return best


def main() -> None:
    """Print ms per step for eager and compiled on the GPU."""
    if not vf.cuda_available():
        print("no CUDA device: skipped")
        return
    import cupy

    sync = cupy.cuda.get_current_stream().synchronize
    for batch in (64, 512):
        r = np.random.default_rng(1)
        x = vf.tensor(r.standard_normal((batch, 784)).astype(np.float32), device="cuda")
        y = vf.tensor(np.eye(10, dtype=np.float32)[r.integers(0, 10, batch)], device="cuda")
        pe = [vf.tensor(p, requires_grad=True, device="cuda") for p in init()]
        pc = [vf.tensor(p, requires_grad=True, device="cuda") for p in init()]
        eager = vizflow_step(pe)
        t0 = time.perf_counter()
        step = function(vizflow_step(pc))
        step(x, y)  # the first call traces, compiles and takes one step
        sync()
        compile_s = time.perf_counter() - t0
        eager(x, y)  # the same one step eagerly: parameters must agree before timing
        np.testing.assert_allclose(pc[0].numpy(), pe[0].numpy(), rtol=1e-4, atol=1e-6)
        plan = step.plan(x, y)
        te = timed(lambda e=eager, x=x, y=y: e(x, y), sync)
        tc = timed(lambda p=plan, x=x, y=y: p.run(x, y), sync)
        print(
            f"cuda batch {batch}: eager {te * 1e3:.3f} ms | compiled {tc * 1e3:.3f} ms "
            f"({te / tc:.2f}× faster) | trace+compile {compile_s * 1e3:.0f} ms"
        )


if __name__ == "__main__":
    main()
