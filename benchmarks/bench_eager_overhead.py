"""Per-op eager overhead on tiny tensors: vizflow vs numpy (and PyTorch when importable).

A chain of N elementwise ops (mul, add, tanh, sub, exp-free to stay finite) on (4,4) float32
tensors, forward only and forward+backward; prints µs per op and ratios. Within a process,
each case's figure is the best of REPEATS rounds, each round timing every case once
(interleaved, so load bursts hit all cases alike). numpy and vizflow share one process,
PyTorch runs in its own; the two alternate for --rounds pairs, and the medians and ranges
over the pairs are printed.
Run: .venv/bin/python benchmarks/bench_eager_overhead.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import vizflow_engine as vf

N = 200  # ops per chain (4 ops per step)
REPEATS = 30
SHAPE = (4, 4)
HERE = os.path.dirname(os.path.abspath(__file__))


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


def ours_cases() -> dict[str, Callable[[], Any]]:
    """numpy and vizflow cases (run in one process, interleaved)."""
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
    return cases


def torch_cases() -> dict[str, Callable[[], Any]]:
    """PyTorch cases (one intra-op thread; run in their own process)."""
    import torch

    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    tx = torch.tensor(rng.standard_normal(SHAPE).astype(np.float32), requires_grad=True)
    tw = torch.tensor(rng.standard_normal(SHAPE).astype(np.float32) * 0.5, requires_grad=True)

    def chain_t() -> Any:
        y = tx
        for _ in range(N // 4):
            y = (y * tw + tx).tanh() - tw
        return y

    def t_step() -> None:
        tx.grad = tw.grad = None
        chain_t().sum().backward()

    return {"torch forward, recording": chain_t, "torch forward+backward": t_step}


def _measure(which: str) -> dict[str, float]:
    """µs per op of each case of `which` ("ours" or "torch"), in a fresh interpreter."""
    code = (
        f"import json, sys; sys.path.insert(0, {HERE!r})\n"
        "import bench_eager_overhead as b\n"
        f"best = b._time_all(b.{which}_cases())\n"
        "print(json.dumps({k: v / b.N * 1e6 for k, v in best.items()}))"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=600
    )
    out: dict[str, float] = json.loads(res.stdout.strip().splitlines()[-1])
    return out


def _has_torch() -> bool:
    """Whether torch is importable (without importing it here)."""
    import importlib.util

    return importlib.util.find_spec("torch") is not None


def _spread(xs: list[float]) -> str:
    """median [min-max] of xs."""
    return f"{np.median(xs):6.2f} [{min(xs):.2f}-{max(xs):.2f}]"


def main() -> None:
    """Alternate our process and torch's ROUNDS times; print medians [ranges] over rounds."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5, help="process pairs (default 5)")
    args = parser.parse_args()
    torch_ok = _has_torch()
    per: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        got = _measure("ours")
        if torch_ok:
            got.update(_measure("torch"))
            got["vizflow fwd+bwd / torch fwd+bwd"] = (
                got["vizflow forward+backward"] / got["torch forward+backward"]
            )
            got["vizflow fwd / torch fwd (recording)"] = (
                got["vizflow forward, recording"] / got["torch forward, recording"]
            )
        got["vizflow fwd / numpy fwd"] = got["vizflow forward, recording"] / got["numpy forward"]
        for k, v in got.items():
            per.setdefault(k, []).append(v)
    print(
        f"python {sys.version.split()[0]}, numpy {np.__version__}; chain of {N} ops on {SHAPE} "
        f"float32; each process: best of {REPEATS} interleaved rounds; median [min-max] over "
        f"{args.rounds} process pairs (torch in its own process)"
    )
    for k, v in per.items():
        if "/" in k:
            goal = "  (goal <= 0.5x)" if k.startswith("vizflow fwd+bwd / torch") else ""
            print(f"  {k:42s} {_spread(v)}x{goal}")
        else:
            print(f"  {k:42s} {_spread(v)} µs/op")


if __name__ == "__main__":
    main()
