"""Random DAGs: every pass, fusion, buffer reuse and parallel scheduling keep results equal."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import vizflow_engine as vf
from vizflow_engine.graph import PASSES, Graph, optimize, verify

UNARY = [
    vf.tanh,
    vf.sin,
    vf.relu,
    lambda v: v * 0.5,
    lambda v: v + 1.0,
    lambda v: -v,
    lambda v: v * 1.0,
    lambda v: vf.exp(v * 0.1),
]
BINARY = [
    lambda a, b: a + b,
    lambda a, b: a * b,
    lambda a, b: a - b,
    vf.maximum,
    lambda a, b: a @ b,
    lambda a, b: (a + b.sum(axis=0, keepdims=True)) * 0.5,
]


@st.composite
def dags(draw):
    """A graph of 2 inputs and up to 14 random ops, with 1-3 outputs."""
    g = Graph("random")
    vals = [g.placeholder("a", (6, 6), "float64"), g.placeholder("b", (6, 6), "float64")]
    stateful = draw(st.booleans())
    if stateful:
        vals.append(g.variable("w", np.linspace(-1, 1, 36).reshape(6, 6)))
    for _ in range(draw(st.integers(2, 14))):
        if draw(st.booleans()):
            f = UNARY[draw(st.integers(0, len(UNARY) - 1))]
            vals.append(f(vals[draw(st.integers(0, len(vals) - 1))]))
        else:
            f = BINARY[draw(st.integers(0, len(BINARY) - 1))]
            i, j = draw(st.integers(0, len(vals) - 1)), draw(st.integers(0, len(vals) - 1))
            vals.append(f(vals[i], vals[j]))
    k = draw(st.integers(1, 3))
    g.output(*vals[-k:])
    if stateful:  # w := an earlier value, so readers of w and the write must be ordered
        g.assign(g.variables[0], vals[draw(st.integers(3, len(vals) - 1))])
    return g


@settings(max_examples=40, deadline=None)
@given(dags(), st.integers(0, 2**31 - 1))
def test_random_graphs_keep_results_through_every_transform(g, seed):
    verify(g)
    r = np.random.default_rng(seed)
    feeds = [r.uniform(-1, 1, (6, 6)), r.uniform(-1, 1, (6, 6))]
    w0 = [v.value.copy() for v in g.variables]

    def run(plan):
        for v, a in zip(g.variables, w0, strict=True):
            v.value[...] = a  # variables share their array with every transformed copy
        outs = [o.copy() for o in plan.run(*feeds)]
        return outs + [v.value.copy() for v in g.variables]

    want = run(g.compile(reuse=False, preallocate=False, parallel=False))
    variants = [PASSES[p](g) for p in PASSES] + [optimize(g, fuse=True)[0]]
    for h in variants:
        verify(h)
        for opts in ({"parallel": False}, {"parallel": True, "heavy_elements": 0}):
            got = run(h.compile(**opts))
            for a, b in zip(got, want, strict=True):
                np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    plan = optimize(g, fuse=True)[0].compile()
    got1 = run(plan)
    plan.run(*[f * 2 for f in feeds])
    got3 = run(plan)  # buffers reused across calls do not leak state
    for a, b in zip(got1, got3, strict=True):
        np.testing.assert_array_equal(a, b)
