"""The executor: generated plan, stepping events, run_until, edits, parallel branches."""

from __future__ import annotations

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine.graph import Graph, function, grad_graph, optimize, spec, trace

from .models import cross_entropy, mlp, mlp_params


def _graph():
    params = mlp_params((4, 5, 3))
    return grad_graph(
        trace(
            lambda x, y: cross_entropy(mlp(params, x), y),
            spec((3, 4), "float64"),
            spec((3, 3), "float64"),
        )
    )


def _feeds():
    return np.random.default_rng(0).standard_normal((3, 4)), np.eye(3)


def test_stepping_produces_one_event_per_node_and_the_same_outputs():
    g = _graph()
    plan = g.compile()
    run = plan.start(*_feeds())
    events = list(run)
    assert [e.node for e in events] == [i.node for i in plan.instrs]
    assert len(events) == len(g.nodes)
    for e in events:
        out = g.out[e.node]
        assert e.output.shape == out.shape and e.time_s >= 0 and e.nbytes == e.output.nbytes
        assert len(e.inputs) == len(e.node.inputs)
    first = events[0]
    np.testing.assert_allclose(first.output, first.inputs[0] @ first.inputs[1])
    for a, b in zip(run.finish(), plan.run(*_feeds()), strict=True):
        np.testing.assert_array_equal(a, b)


def test_run_until_finds_the_first_nan_and_edit_reruns_downstream():
    g = Graph()
    x = g.placeholder("x", (3,), "float64")
    y = vf.log(x)
    z = vf.sqrt(y)
    g.output(z * 2.0)
    plan = g.compile()
    run = plan.start(np.array([0.5, 2.0, 3.0]))
    with np.errstate(invalid="ignore"):
        ev = run.run_until(lambda e: bool(np.isnan(e.output).any()))
    assert ev is not None and ev.node.op.name == "sqrt"
    run2 = plan.start(np.array([0.5, 2.0, 3.0]))
    run2.step()
    run2.set_value(y.name, np.array([4.0, 9.0, 16.0]))
    np.testing.assert_array_equal(run2.finish()[0], [4.0, 6.0, 8.0])
    assert run2.done and run2.next_node is None


def test_plan_source_uses_out_buffers_and_outputs_are_fresh():
    g = _graph()
    plan = g.compile()
    assert "out=b" in plan.source
    a = plan.run(*_feeds())
    b = plan.run(*_feeds())
    for u, v in zip(a, b, strict=True):
        assert not np.shares_memory(u, v)
        np.testing.assert_array_equal(u, v)


def test_parallel_branches_give_the_same_results():
    g = Graph()
    x = g.placeholder("x", (512, 512))
    branches = []
    for k in range(4):
        y = x
        for _ in range(3):
            y = vf.tanh(y * float(k + 1) + 0.5)
        branches.append(y.sum())
    g.output(branches[0] + branches[1] + branches[2] + branches[3])
    serial = g.compile(parallel=False)
    par = g.compile(parallel=True)
    auto = g.compile()
    assert par.parallel and auto.parallel and not serial.parallel
    xv = np.random.default_rng(0).standard_normal((512, 512)).astype(np.float32)
    np.testing.assert_allclose(par.run(xv)[0], serial.run(xv)[0], rtol=1e-5)
    chain = Graph()
    c = chain.placeholder("c", (512, 512))
    chain.output(vf.exp(vf.tanh(c)))
    assert not chain.compile().parallel  # nothing to overlap: stays serial


def test_function_runs_optimised_plan_and_unknown_dims_specialise():
    ff = function(lambda x: vf.relu(x * 1.0 + 0.0).sum(axis=1))
    x = np.random.default_rng(1).standard_normal((4, 3))
    np.testing.assert_allclose(ff(vf.tensor(x)).numpy(), np.maximum(x, 0).sum(1))
    plan = ff.plan(vf.tensor(x))
    assert [i.node.op.name for i in plan.instrs] == ["relu", "sum"]
    g = trace(lambda a: vf.exp(a) + 1.0, spec(("n", 2), "float64"))
    p = g.compile()
    for n in (1, 5):
        np.testing.assert_allclose(p.run(np.zeros((n, 2)))[0], np.full((n, 2), 2.0))


@pytest.mark.parametrize("fuse", [False, True])
@pytest.mark.parametrize("parallel", [False, True])
def test_an_output_that_reads_a_variable_sees_its_value_before_the_update(fuse, parallel):
    """`return w` with `w := tanh(a)`: the output is w as read, not w after the write."""
    g = Graph("read_then_write")
    a = g.placeholder("a", (3,), "float64")
    w = g.variable("w", np.array([1.0, 2.0, 3.0]))
    g.output(w * 1.0)  # simplify turns this into the variable itself
    g.assign(g.variables[0], vf.tanh(a))
    h = optimize(g, fuse=fuse)[0]
    assert h.outputs[0].node is None  # the output is now the variable itself
    (got,) = h.compile(parallel=parallel).run(np.full(3, 0.5))
    np.testing.assert_array_equal(got, [1.0, 2.0, 3.0])
    np.testing.assert_allclose(w.value, np.tanh(np.full(3, 0.5)))
