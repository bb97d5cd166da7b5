"""Every pass keeps results equal on random inputs, passes the verifier, and does its job."""

from __future__ import annotations

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine.graph import PASSES, Graph, grad_graph, optimize, spec, trace, verify

from .models import cross_entropy, mlp, mlp_params


def _messy(x, w):
    a = (x @ w) * 1.0 + 0.0
    b = vf.tanh(x @ w)  # the same matmul again: CSE
    c = vf.reshape(vf.reshape(a, (12,)), (3, 4)).T.T  # reshape chain, double transpose
    k = vf.exp(vf.add(np.zeros((3, 4)), 1.0))  # constant subgraph (arrays): folding
    dead = vf.sin(x) * 3.0  # noqa: F841  (dead code)
    return (c * b + k - 0.0) / 1.0


def _graphs():
    params = mlp_params((4, 5, 3))
    yield "messy", trace(_messy, spec((3, 4), "float64"), spec((4, 4), "float64"))
    g = trace(
        lambda x, y: cross_entropy(mlp(params, x), y),
        spec((3, 4), "float64"),
        spec((3, 3), "float64"),
    )
    yield "mlp_grad", grad_graph(g)


GRAPHS = dict(_graphs())


def _feeds(g, seed):
    r = np.random.default_rng(seed)
    return [r.standard_normal(tuple(v.shape)).astype(v.dtype) for v in g.inputs]


@pytest.mark.parametrize("gname", sorted(GRAPHS))
@pytest.mark.parametrize("pname", sorted(PASSES))
def test_pass_keeps_results_and_verifies(gname, pname):
    g = GRAPHS[gname]
    before = len(g.nodes)
    new = verify(PASSES[pname](g))
    assert new is not g and len(g.nodes) == before  # pure: the input is untouched
    for seed in range(3):
        feeds = _feeds(g, seed)
        for a, b in zip(g.compile().run(*feeds), new.compile().run(*feeds), strict=True):
            np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-14)


def test_each_pass_does_its_job():
    g = GRAPHS["messy"]
    ops = lambda h: [n.op.name for n in h.nodes]  # noqa: E731
    assert ops(PASSES["cse"](g)).count("matmul") == 1
    assert "sin" not in ops(PASSES["dce"](g))
    folded = PASSES["fold_constants"](g)
    assert ops(folded).count("add") == ops(g).count("add") - 1 and "exp" not in ops(folded)
    simple = ops(PASSES["dce"](PASSES["simplify"](g)))  # simplify leaves dead nodes to DCE
    assert "transpose" not in simple and simple.count("reshape") == 0
    assert simple.count("mul") == ops(g).count("mul") - 2  # x*1 gone, dead sin(x)*3 gone
    assert simple.count("div") == 0


def test_optimize_reports_each_pass_and_fuses():
    g = GRAPHS["messy"]
    new, report = optimize(g, fuse=True)
    verify(new)
    names = [r.name for r in report.records]
    assert names == ["infer_shapes", "fold_constants", "simplify", "cse", "dce", "fuse_elementwise"]
    assert report.records[-1].added == {"fused": 1}
    assert all(r.graph is not None for r in report.records)
    assert len(new.nodes) < len(g.nodes)
    assert "cse:" in str(report)
    feeds = _feeds(g, 7)
    np.testing.assert_allclose(new.compile().run(*feeds)[0], g.compile().run(*feeds)[0])


def test_fusion_of_a_long_chain_runs_in_one_node():
    g = Graph()
    x = g.placeholder("x", (8, 8))
    y = x
    for i in range(20):
        y = vf.tanh(y * 0.5 + float(i)) if i % 2 else vf.relu(y - 0.25)
    g.output(y)
    fused = verify(PASSES["fuse_elementwise"](g))
    assert [n.op.name for n in fused.nodes] == ["fused"]
    xv = np.random.default_rng(0).standard_normal((8, 8)).astype(np.float32)
    np.testing.assert_allclose(fused(xv)[0], g(xv)[0], rtol=1e-6)


def test_infer_shapes_reports_a_bad_node_by_name():
    g = Graph()
    x = g.placeholder("x", (2, 3))
    g.output(vf.exp(x))
    g.inputs[0].shape = (2, 3, 4)
    g.nodes[0].params = {}
    from vizflow_engine.graph import GraphError

    y = g.placeholder("y", (5,))
    g.output(vf.reshape(y, (5, 1)))
    g.nodes[1].params = {"shape": (7,)}
    with pytest.raises(GraphError, match="reshape"):
        PASSES["infer_shapes"](g)
