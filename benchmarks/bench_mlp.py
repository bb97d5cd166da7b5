"""MLP step 784-256-256-10 (ReLU, softmax CE, SGD), float32: vizflow eager vs numpy vs torch.

Each framework is timed in its own process (PyTorch's and OpenBLAS's thread pools fight for
the cores when they share one); vizflow and hand-written numpy run in this process, torch in
a subprocess. Prints medians (ms per step) and ratios. Usage: python benchmarks/bench_mlp.py
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import time
from collections.abc import Callable

import numpy as np

SIZES = (784, 256, 256, 10)
LR = 0.01


def _median_ms(step: Callable[[], object], reps: int = 60, warm: int = 10) -> float:
    for _ in range(warm):
        step()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        step()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts) * 1e3)


def interleaved_ms(
    steps: dict[str, Callable[[], object]], rounds: int = 7, reps: int = 15
) -> dict[str, float]:
    """Median over rounds of each step's per-round median, rounds alternating between steps.

    The machine is shared and noisy; alternating keeps the same-process ratios honest.
    """
    per: dict[str, list[float]] = {k: [] for k in steps}
    for _ in range(rounds):
        for k, f in steps.items():
            per[k].append(_median_ms(f, reps, 3))
    return {k: float(np.median(v)) for k, v in per.items()}


def _data(batch: int) -> tuple[np.ndarray, np.ndarray]:
    r = np.random.default_rng(0)
    return r.standard_normal((batch, SIZES[0]), dtype=np.float32), r.integers(0, 10, batch)


def numpy_step(batch: int) -> Callable[[], None]:
    """Hand-written allocating numpy forward/backward/SGD."""
    x, y = _data(batch)
    r = np.random.default_rng(1)
    ws = [
        (r.standard_normal((o, i), dtype=np.float32) * 0.05, np.zeros(o, np.float32))
        for i, o in itertools.pairwise(SIZES)
    ]

    def step() -> None:
        acts = [x]
        h = x
        for k, (w, b) in enumerate(ws):
            h = h @ w.T + b
            if k < len(ws) - 1:
                h = np.maximum(h, 0)
            acts.append(h)
        z = h - h.max(1, keepdims=True)
        e = np.exp(z)
        p = e / e.sum(1, keepdims=True)
        p[np.arange(batch), y] -= 1
        g = p / batch
        for k in range(len(ws) - 1, -1, -1):
            w, b = ws[k]
            a = acts[k]
            gw, gb = g.T @ a, g.sum(0)
            if k:
                g = (g @ w) * (a > 0)
            w -= LR * gw
            b -= LR * gb

    return step


def vizflow_step(batch: int) -> Callable[[], None]:
    """vizflow eager: nn.Sequential, F.cross_entropy, backward, optim.SGD."""
    import vizflow_engine as vf
    from vizflow_engine import nn, optim
    from vizflow_engine.nn import functional as F

    vf.manual_seed(0)
    layers: list[nn.Module] = []
    for i, o in itertools.pairwise(SIZES):
        layers += [nn.Linear(i, o), nn.ReLU()]
    model = nn.Sequential(*layers[:-1])
    opt = optim.SGD(model.parameters(), lr=LR)
    xa, ya = _data(batch)
    x, y = vf.from_numpy(xa), vf.from_numpy(ya)

    def step() -> None:
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    return step


TORCH = """
import json, sys, time, numpy as np, torch
sys.path.insert(0, {here!r})
from bench_mlp import _data, interleaved_ms, SIZES, LR
out = {{}}
for batch in {batches!r}:
    torch.manual_seed(0)
    mods = []
    for i, o in zip(SIZES[:-1], SIZES[1:]):
        mods += [torch.nn.Linear(i, o), torch.nn.ReLU()]
    model = torch.nn.Sequential(*mods[:-1])
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    xa, ya = _data(batch)
    x, y = torch.from_numpy(xa), torch.from_numpy(ya)
    def step():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    out[batch] = interleaved_ms({{"t": step}})["t"]
print(json.dumps(out))
"""


def torch_steps(batches: tuple[int, ...]) -> dict[int, float] | None:
    """PyTorch eager in a subprocess (None when torch is not installed)."""
    import os

    here = os.path.dirname(os.path.abspath(__file__))
    code = TORCH.format(here=here, batches=batches)
    try:
        res = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=600
        )
    except subprocess.CalledProcessError as exc:
        if "No module named 'torch'" in exc.stderr:
            return None
        raise
    return {int(k): v for k, v in json.loads(res.stdout.strip().splitlines()[-1]).items()}


def blas_info() -> str:
    """The BLAS library and kernel numpy runs on (threadpoolctl if installed)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed"
    return "; ".join(
        f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')} "
        f"threads={i.get('num_threads')}"
        for i in threadpool_info()
        if i.get("user_api") == "blas"
    )


NO_TUNING = {"VIZFLOW_NO_MALLOC_TUNING": "1"}


def _ours_subprocess(batch: int, tuned: bool) -> dict[str, float]:
    """numpy and vizflow steps, interleaved, in a fresh process.

    tuned=False runs with VIZFLOW_NO_MALLOC_TUNING=1 (the "before": glibc's default
    thresholds); tuned=True as the engine sets them at import (vizflow_engine.backend.
    tune_malloc). numpy runs in the same process, after the import, so it shares the setting.
    """
    import os

    env = dict(os.environ)
    for k in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"):
        env.pop(k, None)
    if not tuned:
        env.update(NO_TUNING)
    here = os.path.dirname(os.path.abspath(__file__))
    code = (
        f"import json, sys; sys.path.insert(0, {here!r})\nimport vizflow_engine\n"
        f"from bench_mlp import *\nprint(json.dumps(interleaved_ms({{'numpy': numpy_step"
        f"({batch}), 'vizflow': vizflow_step({batch})}})))"
    )
    res = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=600,
    )
    out: dict[str, float] = json.loads(res.stdout.strip().splitlines()[-1])
    return out


def main() -> None:
    """Print ms per step and ratios; torch runs before and after ours (its best run counts)."""
    import os

    batches = (64, 512)
    print(f"BLAS: {blas_info()}")
    print("OPENBLAS_CORETYPE=" + os.environ.get("OPENBLAS_CORETYPE", "(unset)"))
    print(
        "malloc 'engine' = thresholds vizflow_engine sets at import (mallopt: large freed "
        "blocks stay in the heap, no page faults on reuse); 'off' = VIZFLOW_NO_MALLOC_TUNING=1"
    )
    print(
        f"{'batch':>6} {'malloc':>8} {'numpy':>9} {'vizflow':>9} {'torch':>9} {'vf/numpy':>9} "
        f"{'vf/torch':>9}"
    )
    for b in batches:
        t1 = torch_steps((b,))
        rows = {tuned: _ours_subprocess(b, tuned) for tuned in (False, True)}
        t2 = torch_steps((b,))
        t = min(t1[b], t2[b]) if t1 and t2 else float("nan")
        for tuned, ms in rows.items():
            n, v = ms["numpy"], ms["vizflow"]
            print(
                f"{b:>6} {'engine' if tuned else 'off':>8} {n:>8.2f}ms {v:>8.2f}ms "
                f"{t:>8.2f}ms {v / n:>8.2f}x {v / t:>8.2f}x"
            )


if __name__ == "__main__":
    main()
