"""What-if values re-run only what depends on them; the what-if grammar is a whitelist;
a node's VJP agrees with finite differences."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine.debug import WhatIfError, apply_whatif

from .models import chain_graph, mlp_step


def _chain_value(x: np.ndarray, start: int, n: int = 6) -> np.ndarray:
    for _ in range(start, n):
        x = x * 2.0 + 1.0
    return x


@pytest.mark.parametrize("keep_values", [True, False], ids=["in-place", "replay"])
def test_set_value_reruns_only_downstream_nodes(keep_values: bool) -> None:
    dbg = vf.debug(chain_graph(), np.ones(3), keep_values=keep_values)
    dbg.run_to("sub")
    before_sub = dbg.value("sub").copy()
    rerun = dbg.set_value("add_2", np.array([0.0, 1.0, 2.0]))
    assert rerun == ["mul_3", "add_3", "mul_4", "add_4", "mul_5", "add_5"]
    assert dbg.stale == []
    np.testing.assert_array_equal(dbg.value("add_5"), _chain_value(np.array([0.0, 1, 2]), 3))
    np.testing.assert_array_equal(dbg.value("sub"), before_sub)  # not downstream: untouched
    np.testing.assert_array_equal(dbg.value("add_1"), np.full(3, 7.0))  # upstream: untouched


@pytest.mark.parametrize("keep_values", [True, False], ids=["in-place", "replay"])
def test_set_value_before_downstream_runs_and_stale_until_rerun(keep_values: bool) -> None:
    dbg = vf.debug(chain_graph(), np.ones(3), keep_values=keep_values)
    dbg.run_to("add")
    assert dbg.set_value("add", 0.0) == []  # nothing after it ran yet: it just reads the value
    dbg.resume(block=True)
    assert dbg.outputs is not None
    np.testing.assert_array_equal(dbg.outputs[0], _chain_value(np.zeros(3), 1))
    dbg.restart()
    dbg.run_to("add_5")
    assert dbg.set_value("mul_5", np.zeros(3), rerun=False) == ["add_5"]
    assert dbg.stale == ["add_5"]
    dbg.rerun_stale()
    assert dbg.stale == [] and dbg.current is not None
    np.testing.assert_array_equal(dbg.current.output, np.ones(3))


def test_set_value_of_a_parameter_and_refusal_after_updates() -> None:
    _, step, x, y = mlp_step()
    dbg = vf.debug(step, x, y)
    dbg.run_to("cross_entropy")
    loss = float(dbg.value("cross_entropy"))
    w = dbg.graph.variables[0].name
    rerun = dbg.set_value_expr(w, "x * 0")
    assert rerun[0] == "linear" and float(dbg.value("cross_entropy")) != loss
    dbg.resume(block=True)
    with pytest.raises(RuntimeError, match="step_back"):
        dbg.set_value("linear", 0.0)


def test_whatif_grammar_accepts_the_documented_forms() -> None:
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(apply_whatif("x * 0", x), np.zeros((2, 3)))
    np.testing.assert_array_equal(apply_whatif("-x + 1", x), 1 - x)
    assert apply_whatif("x[0] = 1", x)[0].tolist() == [1.0, 1.0, 1.0]
    assert np.isnan(apply_whatif("x[:, -1] = nan", x)[:, 2]).all()
    assert apply_whatif("2 ** 3", x).item() == 8.0
    np.testing.assert_array_equal(x, np.arange(6.0).reshape(2, 3))  # never changed in place


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('true')",
        "x.__class__",
        "np.zeros(3)",
        "y * 2",
        "x = 1",
        "x[0] = 1; x[1] = 2",
        "lambda: 0",
        "x[1.5]",
        "'a' * 3",
        "x" + " + 1" * 100,
    ],
)
def test_whatif_grammar_refuses_everything_else(text: str) -> None:
    with pytest.raises(WhatIfError):
        apply_whatif(text, np.zeros(3))


def test_check_grad_agrees_with_finite_differences() -> None:
    _, step, x, y = mlp_step()
    dbg = vf.debug(step, x, y)
    dbg.run_to("cross_entropy")
    for name in ("linear", "relu", "linear_1", "cross_entropy"):
        res = dbg.check_grad(name)
        assert res.max_abs_error < 1e-6, res
    assert dbg.check_grad().node == "cross_entropy"  # the current node by default
    with pytest.raises(RuntimeError, match="not run yet"):
        dbg.check_grad("sgd_update_")


def test_a_tower_of_powers_overflows_at_once_instead_of_hanging() -> None:
    start = time.perf_counter()
    out = apply_whatif("9 ** 9 ** 9 ** 9", np.ones(2))
    assert np.isinf(out).all() and time.perf_counter() - start < 1.0


def test_rerun_in_place_runs_only_downstream_steps() -> None:
    dbg = vf.debug(chain_graph(), np.ones(3), keep_values=True)
    dbg.run_to("sub")
    ran: list[int] = []
    run = dbg._need_run()

    def counted(k: int, f: Callable[[Any], None]) -> Callable[[Any], None]:
        def step(slots: Any) -> None:
            ran.append(k)
            f(slots)

        return step

    run.steps = [counted(k, f) for k, f in enumerate(run.steps)]
    dbg.set_value("add_4", np.zeros(3))
    assert [dbg.node_names[k] for k in ran] == ["mul_5", "add_5"]
