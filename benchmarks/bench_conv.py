"""conv2d 3×3, 8→16 channels on 28×28, batch 64, float32: forward + backward, vizflow vs torch.

Two cases: with the input gradient (a middle layer) and without it (a first layer). torch
runs in a subprocess (thread pools fight when they share a process); vizflow in this one.
Usage: python benchmarks/bench_conv.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_mlp import blas_info, interleaved_ms

N, C, O, H, K = 64, 8, 16, 28, 3


def _arrays() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r = np.random.default_rng(0)
    x = r.standard_normal((N, C, H, H), dtype=np.float32)
    w = r.standard_normal((O, C, K, K), dtype=np.float32) * 0.1
    g = r.standard_normal((N, O, H, H), dtype=np.float32)
    return x, w, g


def vizflow_step(input_grad: bool) -> Callable[[], None]:
    """nn.Conv2d forward, then backward with a fixed output gradient."""
    import vizflow_engine as vf
    from vizflow_engine import nn

    xa, wa, ga = _arrays()
    conv = nn.Conv2d(C, O, K, padding=1)
    conv.weight.data[...] = wa
    x = vf.tensor(xa, requires_grad=input_grad)
    g = vf.from_numpy(ga)

    def step() -> None:
        conv.zero_grad()
        x.grad = None
        conv(x).backward(g)

    return step


TORCH = """
import json, sys, torch
sys.path.insert(0, {here!r})
from bench_conv import _arrays, C, O, K
from bench_mlp import interleaved_ms
xa, wa, ga = _arrays()
conv = torch.nn.Conv2d(C, O, K, padding=1)
with torch.no_grad():
    conv.weight.copy_(torch.from_numpy(wa))
g = torch.from_numpy(ga)
out = {{}}
for ig in (True, False):
    x = torch.from_numpy(xa).requires_grad_(ig)
    def step():
        conv.zero_grad(set_to_none=True)
        x.grad = None
        conv(x).backward(g)
    out[str(ig)] = interleaved_ms({{"t": step}})["t"]
print(json.dumps(out))
"""


def torch_ms() -> dict[bool, float] | None:
    """PyTorch's times (None when torch is not installed)."""
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        res = subprocess.run(
            [sys.executable, "-c", TORCH.format(here=here)],
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        )
    except subprocess.CalledProcessError as exc:
        if "No module named 'torch'" in exc.stderr:
            return None
        raise
    return {k == "True": v for k, v in json.loads(res.stdout.strip().splitlines()[-1]).items()}


def main() -> None:
    """Print ms per fwd+bwd and the ratio to torch (torch's best of a run before and after)."""
    print(f"BLAS: {blas_info()}")
    t1 = torch_ms()
    ours = interleaved_ms({"True": vizflow_step(True), "False": vizflow_step(False)})
    t2 = torch_ms()
    print(f"{'input grad':>10} {'vizflow':>9} {'torch':>9} {'vf/torch':>9}")
    for ig in (True, False):
        v = ours[str(ig)]
        t = min(t1[ig], t2[ig]) if t1 and t2 else float("nan")
        print(f"{ig!s:>10} {v:>8.2f}ms {t:>8.2f}ms {v / t:>8.2f}x")


if __name__ == "__main__":
    main()
