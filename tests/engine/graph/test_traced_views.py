"""A view of a captured tensor taken in a traced step shows what an optimiser step later
writes into its array, as eagerly (and in PyTorch), where the view shares the array."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine.graph import function

# name -> (the view taken before the step, whether eagerly it shares p's array)
VIEWS: dict[str, tuple[Callable[[Any], Any], bool]] = {
    "slice": (lambda p: p[0:2], True),
    "transpose": (lambda p: p.T, True),
    "reshape": (lambda p: p.reshape(-1), True),
    "slice of a slice": (lambda p: p[0:2][0], True),
    "detached view": (lambda p: p.unsqueeze(0).detach(), True),
    "reshape of a transpose (numpy copies)": (lambda p: p.T.reshape(-1), False),
}


def _run(view: Callable[[Any], Any], compiled: bool, optimize: bool) -> list[np.ndarray]:
    """Three steps that take a view of p, step SGD, and return the view and p."""
    p = vf.tensor(np.arange(1.0, 7.0).reshape(2, 3), requires_grad=True)
    opt = vf.optim.SGD([p], lr=0.1, momentum=0.5)

    def step(x: Any) -> Any:
        opt.zero_grad()
        v = view(p)
        ((p * x) ** 2).sum().backward()
        opt.step()
        return v

    run = function(step, optimize=optimize) if compiled else step
    out = []
    for k in range(3):
        x = vf.tensor(np.full((2, 3), 0.5 + k))
        out += [np.array(run(x).numpy(), copy=True), np.array(p.numpy(), copy=True)]
    return out


@pytest.mark.parametrize("optimize", [False, True])
@pytest.mark.parametrize("name", list(VIEWS))
def test_returned_view_shows_the_optimiser_step(name: str, optimize: bool) -> None:
    before = vf.get_default_dtype()
    vf.set_default_dtype(np.float64)
    try:
        view, shares = VIEWS[name]
        eager = _run(view, compiled=False, optimize=optimize)
        compiled = _run(view, compiled=True, optimize=optimize)
    finally:
        vf.set_default_dtype(before)
    for k, (e, c) in enumerate(zip(eager, compiled, strict=True)):
        np.testing.assert_allclose(c, e, rtol=1e-12, err_msg=f"output {k}")
    # a view shows the stepped parameter; a copy keeps its value from before the step
    stepped = eager[0].reshape(-1)[0] == eager[1].reshape(-1)[0]
    assert stepped == shares
