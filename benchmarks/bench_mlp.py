"""MLP step 784-256-256-10 (ReLU, softmax CE, SGD), float32: vizflow eager vs numpy vs torch.

Each framework is timed in its own process (PyTorch's and OpenBLAS's thread pools fight for
the cores when they share one): torch in one, vizflow and hand-written numpy (interleaved) in
another, the two processes alternating for several rounds. Prints the median and range over
rounds of ms per step and of each round's ratios.
Usage: python benchmarks/bench_mlp.py [--rounds 5] [--batches 64 512] [--malloc-off]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

SIZES = (784, 256, 256, 10)
LR = 0.01
HERE = os.path.dirname(os.path.abspath(__file__))


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

OURS = """
import json, sys; sys.path.insert(0, {here!r})
import vizflow_engine
from bench_mlp import interleaved_ms, numpy_step, vizflow_step
print(json.dumps({{b: interleaved_ms({{"numpy": numpy_step(b), "vizflow": vizflow_step(b)}})
                  for b in {batches!r}}}))
"""

NO_TUNING = {"VIZFLOW_NO_MALLOC_TUNING": "1"}


def _subprocess(code: str, env: dict[str, str] | None = None) -> Any:
    """Run code in a fresh interpreter; its last stdout line, parsed as JSON."""
    res = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=900,
    )
    return json.loads(res.stdout.strip().splitlines()[-1])


def torch_steps(batches: tuple[int, ...]) -> dict[int, float] | None:
    """PyTorch eager ms per step in its own process (None when torch is not installed)."""
    try:
        out = _subprocess(TORCH.format(here=HERE, batches=batches))
    except subprocess.CalledProcessError as exc:
        if "No module named 'torch'" in exc.stderr:
            return None
        raise
    return {int(k): v for k, v in out.items()}


def our_steps(batches: tuple[int, ...], tuned: bool = True) -> dict[int, dict[str, float]]:
    """numpy and vizflow ms per step, interleaved, in their own process.

    tuned=False runs with VIZFLOW_NO_MALLOC_TUNING=1 (glibc's default thresholds); tuned=True
    as the engine sets them at import (backend.tune_malloc). numpy runs in the same process,
    after the import, so it shares the setting.
    """
    env = dict(os.environ)
    for k in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"):
        env.pop(k, None)
    if not tuned:
        env.update(NO_TUNING)
    out = _subprocess(OURS.format(here=HERE, batches=batches), env)
    return {int(k): v for k, v in out.items()}


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


def _spread(xs: list[float], fmt: str) -> str:
    """median [min-max] of xs."""
    return f"{np.median(xs):{fmt}} [{min(xs):{fmt}}-{max(xs):{fmt}}]"


def main() -> None:
    """Alternate torch's process and ours ROUNDS times; print medians [ranges] over rounds.

    Each round's ratio divides that round's vizflow median by the same round's torch
    median, so a burst of load from elsewhere hits both sides of a ratio alike.
    """
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5, help="process pairs (default 5)")
    parser.add_argument("--batches", type=int, nargs="+", default=[64, 512])
    parser.add_argument(
        "--malloc-off", action="store_true", help="add a row with glibc's default malloc"
    )
    args = parser.parse_args()
    batches = tuple(args.batches)
    print(f"BLAS: {blas_info()}")
    print("OPENBLAS_CORETYPE=" + os.environ.get("OPENBLAS_CORETYPE", "(unset)"))
    rows = [True, False] if args.malloc_off else [True]
    per: dict[tuple[int, bool], dict[str, list[float]]] = {
        (b, tuned): {"numpy": [], "vizflow": [], "torch": [], "vf/torch": [], "vf/numpy": []}
        for b in batches
        for tuned in rows
    }
    for r in range(args.rounds):
        t = torch_steps(batches)
        ours = {tuned: our_steps(batches, tuned) for tuned in rows}
        for b in batches:
            for tuned in rows:
                acc = per[b, tuned]
                n, v = ours[tuned][b]["numpy"], ours[tuned][b]["vizflow"]
                acc["numpy"].append(n)
                acc["vizflow"].append(v)
                acc["vf/numpy"].append(v / n)
                if t is not None:
                    acc["torch"].append(t[b])
                    acc["vf/torch"].append(v / t[b])
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    print(f"ms per step, median [min-max] over {args.rounds} rounds (one process pair each)")
    for (b, tuned), acc in per.items():
        malloc = "engine" if tuned else "off"
        line = (
            f"batch {b:>4} malloc {malloc:>6}: numpy {_spread(acc['numpy'], '.2f')}  "
            f"vizflow {_spread(acc['vizflow'], '.2f')}  vf/numpy {_spread(acc['vf/numpy'], '.2f')}"
        )
        if acc["torch"]:
            line += (
                f"  torch {_spread(acc['torch'], '.2f')}  "
                f"vf/torch {_spread(acc['vf/torch'], '.2f')}"
            )
        print(line)


if __name__ == "__main__":
    main()
