"""Size and build time of the viewer's protocol message for a big traced graph.

A stack of transformer-like blocks (layer norm, attention, MLP) is traced, its symbolic
gradient added, and the GraphPayload built; its size as expanded JSON objects ("MB") and
as the CompactGraph the widget sends ("wire MB", with the time to encode it).
The issue's goal: under 2 MB for a 10,000-node graph. Run: python benchmarks/bench_payload.py
"""

from __future__ import annotations

import json
import time
from typing import Any

import vizflow as vf
import vizflow.nn.functional as F
from vizflow import nn
from vizflow_kernelext.payload import build_from_graph
from vizflow_kernelext.payload.compact import encode

WIDTH = 16


class Block(nn.Module):
    """Pre-norm attention + MLP block (single head), enough ops to look like the real thing."""

    def __init__(self, d: int) -> None:
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.fc1, self.fc2 = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def forward(self, x: Any) -> Any:
        """x + attn(ln1 x); then x + mlp(ln2 x)."""
        q, k, v = vf.split(self.qkv(self.ln1(x)), [WIDTH, WIDTH, WIDTH], axis=-1)
        att = F.softmax(q @ k.transpose(-1, -2) * WIDTH**-0.5, -1)
        x = x + self.proj(att @ v)
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class Stack(nn.Module):
    """`depth` blocks and a scalar loss."""

    def __init__(self, depth: int) -> None:
        super().__init__()
        self.blocks = nn.Sequential(*[Block(WIDTH) for _ in range(depth)])

    def forward(self, x: Any) -> Any:
        """Sum of the last block's output (a scalar to differentiate)."""
        return self.blocks(x).sum()


def main() -> None:
    """Print nodes, bytes, and seconds to trace and to build the payload, per depth."""
    print(
        f"{'depth':>5} {'nodes':>7} {'edges':>7} {'MB':>6} {'B/node':>7} {'trace s':>8} "
        f"{'build s':>8} {'wire MB':>8} {'B/node':>7} {'encode s':>8}"
    )
    for depth in (12, 48, 60, 96):
        model = Stack(depth)
        x = vf.randn(2, 8, WIDTH)
        t0 = time.perf_counter()
        graph = vf.grad_graph(vf.trace(model, x))
        t1 = time.perf_counter()
        payload = build_from_graph(graph).payload
        t2 = time.perf_counter()
        size = len(json.dumps(payload, separators=(",", ":")))
        t3 = time.perf_counter()
        wire = len(json.dumps(encode(payload), separators=(",", ":")))
        t4 = time.perf_counter()
        n = len(payload["nodes"])
        print(
            f"{depth:>5} {n:>7} {len(payload['edges']):>7} {size / 1e6:>6.2f} "
            f"{size / n:>7.0f} {t1 - t0:>8.2f} {t2 - t1:>8.2f} {wire / 1e6:>8.2f} "
            f"{wire / n:>7.0f} {t4 - t3:>8.2f}"
        )


if __name__ == "__main__":
    main()
