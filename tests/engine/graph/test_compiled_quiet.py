"""Compiled steps are as silent as eager ones about log(0), 0/0 and 1/0 (as in PyTorch)."""

from __future__ import annotations

import warnings

import numpy as np

import vizflow_engine as vf
from vizflow_engine.graph import function


def test_compiled_log_and_division_by_zero_give_numpys_values_without_warnings() -> None:
    def f(x: vf.Tensor) -> tuple[vf.Tensor, vf.Tensor, vf.Tensor]:
        return x / x, vf.log(x), 1 / x

    x = vf.tensor([0.0, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        eager = [t.numpy() for t in f(x)]
        compiled = [t.numpy() for t in function(f)(x)]
        stepped = function(f).plan(x).start(x).finish()
    a = x.numpy()
    with np.errstate(all="ignore"):
        want = [a / a, np.log(a), 1 / a]
    for got in (eager, compiled, stepped):
        for g, w in zip(got, want, strict=True):
            np.testing.assert_array_equal(g, w)
