"""Preallocation budget: declared dims alone never make a plan allocate more than the budget;
past it, buffers wait for the first run, whose feeds must match the declared shapes."""

from __future__ import annotations

import json
import tracemalloc

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine.errors import ShapeError
from vizflow_engine.graph import Graph
from vizflow_engine.graph.executor.plan import PREALLOC_BUDGET, Plan


def _chain(shape: tuple[int, ...]) -> Graph:
    """x -> exp -> tanh -> sum: two intermediate buffers of x's size."""
    g = Graph("chain")
    x = g.placeholder("x", shape, "float32")
    g.output(vf.tanh(vf.exp(x) * 0.5).sum(axis=0))
    return g


def _compile_peak(make) -> tuple[object, int]:
    """What make() returns and the peak bytes traced while it ran."""
    tracemalloc.start()
    try:
        res = make()
        return res, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_graph_declaring_huge_dims_compiles_without_allocating(tmp_path):
    """A (2**20, 2**20) input, as a loaded file may declare: compiling allocates nothing big and
    running with other shapes is a clear error naming the input and both shapes."""
    _chain((4, 4)).save(str(tmp_path / "g"))
    doc = json.loads((tmp_path / "g.json").read_text())
    doc["values"][0]["shape"] = [2**20, 2**20]
    for n in doc["nodes"]:
        n["output"]["shape"] = [2**20] if n["op"] == "sum" else [2**20, 2**20]
    (tmp_path / "g.json").write_text(json.dumps(doc))
    try:
        g = Graph.load(str(tmp_path / "g"))
    except ValueError as exc:  # a loader may cap the dims; then nothing is compiled at all
        assert "2**40" in str(exc) or "elements" in str(exc)
        g = _chain((2**20, 2**20))
    plan, peak = _compile_peak(g.compile)
    assert plan.memory.buffer_bytes > PREALLOC_BUDGET
    assert peak < 16 << 20
    with pytest.raises(ShapeError, match=r"input 'x'.*\(1048576, 1048576\).*\(4, 4\)"):
        plan.run(np.ones((4, 4), np.float32))
    with pytest.raises(ShapeError, match="input 'x'"):
        plan.start(np.ones((4, 4), np.float32))


def test_over_budget_plans_allocate_at_the_first_run_and_give_the_same_results():
    g = _chain((1024, 512))
    eager = Plan(g)
    lazy, peak = _compile_peak(lambda: Plan(g, prealloc_budget=1 << 20))
    assert lazy.memory.buffer_bytes == 2 << 20
    assert peak < 1 << 20
    with pytest.raises(
        ShapeError, match=r"declared with shape \(1024, 512\) but given shape \(512, 1024\)"
    ):
        lazy.run(np.ones((512, 1024), np.float32))
    x = np.random.default_rng(0).standard_normal((1024, 512)).astype(np.float32)
    for _ in range(2):  # the first run allocates, the second reuses
        np.testing.assert_array_equal(lazy.run(x)[0], eager.run(x)[0])
    run = lazy.start(x)
    np.testing.assert_array_equal(run.finish()[0], eager.run(x)[0])


def test_plans_under_budget_preallocate_at_compile_time():
    g = _chain((256, 256))
    plan, peak = _compile_peak(g.compile)
    assert 0 < plan.memory.buffer_bytes <= PREALLOC_BUDGET
    assert peak >= plan.memory.buffer_bytes  # the buffers exist before the first run
    x = np.ones((256, 256), np.float32)
    np.testing.assert_allclose(plan.run(x)[0], np.tanh(np.exp(x) * 0.5).sum(0), rtol=1e-6)
