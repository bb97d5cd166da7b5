"""check_grad perturbs every input element, whatever the input's memory layout: a transposed
input (a backward matmul reads one) was perturbed in a copy, so its numeric gradient was 0."""

from __future__ import annotations

import numpy as np

import vizflow_engine as vf
from vizflow_engine.debug.gradcheck import check_grad


def test_a_transposed_input_is_checked_like_a_contiguous_one() -> None:
    g = vf.Graph("mm")
    a = g.placeholder("a", (3, 4), "float32")
    b = g.placeholder("b", (4, 2), "float32")
    g.output(a @ b)
    node = next(i.node for i in vf.debug(g, np.ones((3, 4)), np.ones((4, 2))).plan.instrs)
    rng = np.random.default_rng(0)
    a_t = rng.standard_normal((4, 3)).astype(np.float32).T  # F-ordered, as a transpose gives
    res = check_grad(node, "matmul", [a_t, rng.standard_normal((4, 2)).astype(np.float32)])
    assert res.max_abs_error < 1e-6 and res.max_rel_error < 1e-6, res
