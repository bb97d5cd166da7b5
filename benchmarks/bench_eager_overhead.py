"""Per-op eager overhead on tiny tensors: vizflow vs numpy (and PyTorch when importable).

A chain of N elementwise ops (mul, add, tanh, sub, exp-free to stay finite) on (4,4) float32
tensors, forward only and forward+backward; prints µs per op and ratios: the best of REPEATS
rounds, each round timing every case once (interleaved, so load bursts hit all cases alike).
Run: .venv/bin/python benchmarks/bench_eager_overhead.py
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import vizflow_engine as vf

N = 200  # ops per chain (4 ops per step)
REPEATS = 30
SHAPE = (4, 4)


def _time_all(cases: dict[str, Callable[[], Any]]) -> dict[str, float]:
    """Best seconds per call of each case over REPEATS rounds, the cases interleaved.

    Round-robin timing exposes every case to the same bursts of load from other processes
    on a shared machine, so the ratios stay meaningful even when absolute times wander.
    """
    for fn in cases.values():  # warm-up
        fn()
    best = dict.fromkeys(cases, float("inf"))
    for _ in range(REPEATS):
        for k, fn in cases.items():
            t0 = time.perf_counter()
            fn()
            dt = time.perf_counter() - t0
            if dt < best[k]:
                best[k] = dt
    return best


def chain_numpy(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The op chain in plain numpy (the floor)."""
    y = x
    for _ in range(N // 4):
        y = np.tanh(y * w + x) - w
    return y


def numpy_fwd_bwd(x: np.ndarray, w: np.ndarray) -> Any:
    """Hand-written forward + backward of the chain in numpy (a perfect tape's floor)."""
    ys, ts = [], []
    y = x
    for _ in range(N // 4):
        ys.append(y)
        t = np.tanh(y * w + x)
        ts.append(t)
        y = t - w
    g = np.ones_like(y)
    gw = np.zeros_like(w)
    gx = np.zeros_like(x)
    for y_in, t in zip(reversed(ys), reversed(ts), strict=True):
        gw -= g
        ga = g * (1 - t * t)
        gx += ga
        gw += ga * y_in
        g = ga * w
    return g + gx, gw


def chain_vf(x: vf.Tensor, w: vf.Tensor) -> vf.Tensor:
    """The op chain with vizflow tensors."""
    y = x
    for _ in range(N // 4):
        y = (y * w + x).tanh() - w
    return y


def main() -> None:
    rng = np.random.default_rng(0)
    xa = rng.standard_normal(SHAPE).astype(np.float32)
    wa = rng.standard_normal(SHAPE).astype(np.float32) * 0.5
    cases: dict[str, Callable[[], Any]] = {}
    cases["numpy forward"] = lambda: chain_numpy(xa, wa)
    cases["numpy forward+backward (hand-written)"] = lambda: numpy_fwd_bwd(xa, wa)

    x = vf.tensor(xa, requires_grad=True)
    w = vf.tensor(wa, requires_grad=True)

    def vf_no_grad() -> None:
        with vf.no_grad():
            chain_vf(x, w)

    def vf_step() -> None:
        x.grad = w.grad = None
        chain_vf(x, w).sum().backward()

    cases["vizflow forward, no_grad"] = vf_no_grad
    cases["vizflow forward, recording"] = lambda: chain_vf(x, w)
    cases["vizflow forward+backward"] = vf_step

    try:
        import torch

        torch.set_num_threads(1)
        tx = torch.tensor(xa, requires_grad=True)
        tw = torch.tensor(wa, requires_grad=True)

        def chain_t() -> Any:
            y = tx
            for _ in range(N // 4):
                y = (y * tw + tx).tanh() - tw
            return y

        def t_step() -> None:
            tx.grad = tw.grad = None
            chain_t().sum().backward()

        cases["torch forward, recording"] = chain_t
        cases["torch forward+backward"] = t_step
        torch_version = torch.__version__
    except ImportError:
        torch_version = None

    results = {k: v / N for k, v in _time_all(cases).items()}
    print(
        f"python {sys.version.split()[0]}, numpy {np.__version__}, torch {torch_version}; "
        f"chain of {N} ops on {SHAPE} float32, best of {REPEATS} interleaved rounds"
    )
    for k, v in results.items():
        print(f"  {k:42s} {v * 1e6:7.2f} µs/op")
    base = results["numpy forward"]
    print(
        f"  vizflow fwd / numpy fwd:                    "
        f"{results['vizflow forward, recording'] / base:5.2f}x"
    )
    if "torch forward+backward" in results:
        r = results["vizflow forward+backward"] / results["torch forward+backward"]
        print(f"  vizflow fwd+bwd / torch fwd+bwd:            {r:5.2f}x  (goal <= 0.5x)")
        r = results["vizflow forward, recording"] / results["torch forward, recording"]
        print(f"  vizflow fwd / torch fwd (recording):        {r:5.2f}x")


if __name__ == "__main__":
    main()
