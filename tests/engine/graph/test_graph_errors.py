"""Audit regressions besides in-place ops: errors that say what to do, and -(-x) simplified."""

from __future__ import annotations

import numpy as np

import vizflow_engine as vf
from vizflow_engine.graph import PASSES, Graph, verify


def test_simplify_removes_double_negation():
    g = Graph()
    x = g.placeholder("x", (3, 4), "float64")
    minus_x = vf.neg(x)
    g.output(vf.exp(vf.neg(minus_x)), vf.neg(vf.neg(minus_x)))
    new = verify(PASSES["dce"](PASSES["simplify"](g)))
    assert [n.op.name for n in new.nodes] == ["exp", "neg"]
    xv = np.random.default_rng(0).standard_normal((3, 4))
    for a, b in zip(g(xv), new(xv), strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-12)
