"""The memory plan: reuse cuts bytes, and its peak estimate is within 10% of tracemalloc."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine.graph import Graph, grad_graph, plan_memory


def _net():
    g = Graph()
    x = g.placeholder("x", (256, 256))
    w1 = g.variable("w1", np.full((256, 256), 0.01, np.float32))
    w2 = g.variable("w2", np.full((256, 256), 0.02, np.float32))
    h = vf.tanh(x @ w1)
    for _ in range(4):
        h = vf.relu(h * 0.5 + 0.1)
    y = vf.exp(h @ w2)
    g.output((y * y).sum())
    return grad_graph(g)


def test_reuse_and_in_place_reduce_memory():
    g = _net()
    with_reuse = plan_memory(g)
    without = plan_memory(g, reuse=False)
    assert with_reuse.buffer_bytes < 0.5 * without.buffer_bytes
    assert with_reuse.inplace  # some elementwise node writes over its dead input
    assert "buffers" in with_reuse.report()


@pytest.mark.parametrize("preallocate", [True, False])
def test_peak_estimate_within_ten_percent_of_measured(preallocate):
    g = _net()
    xv = np.random.default_rng(0).standard_normal((256, 256)).astype(np.float32)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        plan = g.compile(preallocate=preallocate, parallel=False)
        outs = plan.run(xv)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    est = plan.memory.peak_bytes
    assert outs and abs(est - peak) <= 0.1 * peak, (est, peak)
