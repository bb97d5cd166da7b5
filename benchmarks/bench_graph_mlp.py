"""MLP 784-256-256-10 training step (forward, backward, SGD), float32: compiled vizflow vs numpy.

The floor is a hand-written numpy step with preallocated `out=` buffers, run in this process.
Also prints trace+compile time of the step. PyTorch (if installed) runs in a subprocess so
thread pools do not fight. Run: .venv/bin/python benchmarks/bench_graph_mlp.py
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import vizflow_engine as vf
from vizflow_engine.graph import function

SIZES = (784, 256, 256, 10)
LR = 0.01
REPEATS = 7
STEPS = 20


def blas_info() -> str:
    """Which BLAS kernel numpy runs on (threadpoolctl when available)."""
    try:
        from threadpoolctl import threadpool_info

        return "; ".join(
            f"{i.get('internal_api')} {i.get('architecture')} {i.get('num_threads')} threads"
            for i in threadpool_info()
        )
    except ImportError:
        return "threadpoolctl not installed"


def init(seed: int = 0) -> list[np.ndarray]:
    """Weights and biases, float32."""
    r = np.random.default_rng(seed)
    ps = []
    for a, b in itertools.pairwise(SIZES):
        ps += [(r.standard_normal((a, b)) / np.sqrt(a)).astype(np.float32), np.zeros(b, np.float32)]
    return ps


class NumpyStep:
    """The floor: a hand-written step, every intermediate preallocated, out= everywhere."""

    def __init__(self, ps: list[np.ndarray], batch: int) -> None:
        self.ps = ps
        f = np.float32
        self.h1 = np.empty((batch, 256), f)
        self.h2 = np.empty((batch, 256), f)
        self.z = np.empty((batch, 10), f)
        self.m = np.empty((batch, 1), f)
        self.s = np.empty((batch, 1), f)
        self.d3 = np.empty((batch, 10), f)
        self.d2 = np.empty((batch, 256), f)
        self.d1 = np.empty((batch, 256), f)
        self.g = [np.empty_like(p) for p in ps]
        self.mask = np.empty((batch, 256), bool)

    def __call__(self, x: np.ndarray, y: np.ndarray) -> float:
        w1, b1, w2, b2, w3, b3 = self.ps
        gw1, gb1, gw2, gb2, gw3, gb3 = self.g
        h1, h2, z, m, s, d3, d2, d1 = (
            self.h1,
            self.h2,
            self.z,
            self.m,
            self.s,
            self.d3,
            self.d2,
            self.d1,
        )
        np.matmul(x, w1, out=h1)
        np.add(h1, b1, out=h1)
        np.maximum(h1, 0, out=h1)
        np.matmul(h1, w2, out=h2)
        np.add(h2, b2, out=h2)
        np.maximum(h2, 0, out=h2)
        np.matmul(h2, w3, out=z)
        np.add(z, b3, out=z)
        np.max(z, axis=1, keepdims=True, out=m)
        np.subtract(z, m, out=z)
        np.exp(z, out=d3)
        np.sum(d3, axis=1, keepdims=True, out=s)
        np.divide(d3, s, out=d3)  # softmax p
        np.log(s, out=s)
        loss = float(-(np.sum(z * y) - s.sum()) / len(x))
        np.subtract(d3, y, out=d3)
        np.multiply(d3, 1.0 / len(x), out=d3)
        np.matmul(h2.T, d3, out=gw3)
        np.sum(d3, axis=0, out=gb3)
        np.matmul(d3, w3.T, out=d2)
        np.greater(h2, 0, out=self.mask)
        np.multiply(d2, self.mask, out=d2)
        np.matmul(h1.T, d2, out=gw2)
        np.sum(d2, axis=0, out=gb2)
        np.matmul(d2, w2.T, out=d1)
        np.greater(h1, 0, out=self.mask)
        np.multiply(d1, self.mask, out=d1)
        np.matmul(x.T, d1, out=gw1)
        np.sum(d1, axis=0, out=gb1)
        for p, g in zip(self.ps, self.g, strict=True):
            np.multiply(g, LR, out=g)
            np.subtract(p, g, out=p)
        return loss


def vizflow_step(ps: list[Any]) -> Callable[[Any, Any], Any]:
    """The same step written eagerly (forward, loss.backward(), SGD) and compiled."""

    def step(x: Any, y: Any) -> Any:
        for p in ps:
            p.grad = None
        h = x
        for i in range(3):
            h = h @ ps[2 * i] + ps[2 * i + 1]
            if i < 2:
                h = vf.relu(h)
        loss = -(y * vf.log_softmax(h, axis=1)).sum() / float(x.shape[0])
        loss.backward()
        with vf.no_grad():
            for p in ps:
                p -= LR * p.grad
        return loss

    return step


def interleaved(fns: list[Callable[[], Any]]) -> list[float]:
    """Best mean seconds per call of each fn over rounds of STEPS calls, run in turn."""
    best = [float("inf")] * len(fns)
    for fn in fns:
        fn()
    for _ in range(REPEATS * 2):
        for k, fn in enumerate(fns):
            t0 = time.perf_counter()
            for _ in range(STEPS):
                fn()
            best[k] = min(best[k], (time.perf_counter() - t0) / STEPS)
    return best


def torch_ms(batch: int) -> float | None:
    """PyTorch eager step time (ms) in a subprocess, or None when torch is missing."""
    code = f"""
import time, statistics, torch
torch.set_num_threads(2)
m = torch.nn.Sequential(torch.nn.Linear(784,256), torch.nn.ReLU(), torch.nn.Linear(256,256),
                        torch.nn.ReLU(), torch.nn.Linear(256,10))
opt = torch.optim.SGD(m.parameters(), lr={LR})
x = torch.randn({batch}, 784); y = torch.randint(0, 10, ({batch},))
def step():
    opt.zero_grad(); loss = torch.nn.functional.cross_entropy(m(x), y); loss.backward(); opt.step()
step(); res = []
for _ in range({REPEATS}):
    t0 = time.perf_counter()
    for _ in range({STEPS}): step()
    res.append((time.perf_counter() - t0) / {STEPS})
print(statistics.median(res) * 1e3)
"""
    try:
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=300
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    return float(out.stdout.strip().splitlines()[-1])


def bench(batch: int) -> dict[str, Any]:
    """One batch size: floor, compiled step, trace+compile time, torch (subprocess)."""
    r = np.random.default_rng(1)
    x = r.standard_normal((batch, 784)).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[r.integers(0, 10, batch)]
    floor = NumpyStep(init(), batch)
    ps = [vf.tensor(p, requires_grad=True) for p in init()]
    t0 = time.perf_counter()
    step = function(vizflow_step(ps))
    xt, yt = vf.tensor(x), vf.tensor(y)
    step(xt, yt)
    compile_s = time.perf_counter() - t0
    plan = step.plan(xt, yt)
    t_np, t_vf = interleaved([lambda: floor(x, y), lambda: plan.run(x, y)])
    return {
        "batch": batch,
        "numpy_prealloc_ms": t_np * 1e3,
        "vizflow_ms": t_vf * 1e3,
        "ratio": t_vf / t_np,
        "trace_compile_s": compile_s,
        "plan_steps": len(plan.instrs),
        "torch_ms": torch_ms(batch),
    }


def main() -> None:
    """Print ms per step and ratios for batch 64 and 512."""
    print(f"numpy {np.__version__}; BLAS: {blas_info()}")
    rows = [bench(b) for b in (64, 512)]
    for row in rows:
        t_th, t_np = row["torch_ms"], row["numpy_prealloc_ms"]
        th = f"{t_th:.3f} ms ({t_th / t_np:.2f}×)" if t_th else "n/a"
        print(
            f"batch {row['batch']:4d}: numpy out= {t_np:.3f} ms | vizflow compiled "
            f"{row['vizflow_ms']:.3f} ms ({row['ratio']:.3f}× numpy) | torch eager {th} | "
            f"trace+compile {row['trace_compile_s'] * 1e3:.0f} ms, {row['plan_steps']} steps"
        )
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
