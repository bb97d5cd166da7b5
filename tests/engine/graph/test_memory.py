"""The memory plan: reuse cuts bytes, and its peak estimate is within 10% of what a run
allocates (the buffers compile preallocates plus the run's peak, traced by tracemalloc)."""

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


def _softmax(n):
    g = Graph()
    g.output(vf.softmax(g.placeholder("x", (n, n)), axis=-1))  # broadcasts: numpy buffers
    return g


def _measured(g, feeds, preallocate):
    """Numpy bytes the compiled plan holds plus the peak of one run: compile's own Python
    objects (code, dicts) are not what the plan's estimate is about."""
    numpy_only = [tracemalloc.DomainFilter(True, np.lib.tracemalloc_domain)]

    def held():
        snap = tracemalloc.take_snapshot().filter_traces(numpy_only)
        return sum(t.size for t in snap.traces)

    tracemalloc.start()
    try:
        before = held()
        plan = g.compile(preallocate=preallocate, parallel=False)
        buffers = held() - before
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        outs = plan.run(*feeds)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert outs
    return plan.memory.peak_bytes, buffers + peak


@pytest.mark.parametrize("preallocate", [True, False])
@pytest.mark.parametrize(("make", "n"), [(_net, 256), (_softmax, 64), (_softmax, 256)])
def test_peak_estimate_within_ten_percent_of_measured(make, n, preallocate):
    g = make() if make is _net else make(n)
    xv = np.random.default_rng(0).standard_normal((n, n)).astype(np.float32)
    est, measured = _measured(g, [xv], preallocate)
    assert abs(est - measured) <= 0.1 * measured, (est, measured)
